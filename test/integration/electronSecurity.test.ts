// The Electron shell's security (issue 7): a recognised scanner (Electronegativity) finds nothing
// HIGH in it — and does fail a badly configured window, so the gate is real — and the settings it
// relies on are asserted by running the shell's own code against a stand-in for the `electron`
// module (the binary is not installed here): BrowserWindow options, the CSP (header and the
// page's meta tag), navigation/window-open/permission lockdown, and that every ipcMain.handle
// checks its sender and its arguments before anything reaches the engine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CoreScopeApi } from '../../src/shared/api';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'electron-security.mjs');

// ---- a stand-in for the parts of `electron` the shell uses, recording what it is given ----
const fake = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  const state = {
    windows: [] as { options: Record<string, unknown>; handlers: Map<string, Handler>; openHandler?: Handler; loaded?: string }[],
    headersHook: undefined as undefined | Handler,
    permissionHook: undefined as undefined | Handler,
    ipcHandlers: new Map<string, Handler>(),
    ipcOn: [] as string[],
    openedExternally: [] as string[],
    saved: [] as unknown[][],
  };
  class FakeWebContents {
    constructor(private readonly rec: (typeof state.windows)[number]) {}
    mainFrame = { url: 'file:///opt/corescope/out/renderer/index.html' };
    on(name: string, h: Handler) {
      this.rec.handlers.set(name, h);
      return this;
    }
    setWindowOpenHandler(h: Handler) {
      this.rec.openHandler = h;
    }
    send() {}
  }
  class BrowserWindow {
    webContents: FakeWebContents;
    constructor(options: Record<string, unknown>) {
      const rec = { options, handlers: new Map<string, Handler>() };
      state.windows.push(rec);
      this.webContents = new FakeWebContents(rec);
    }
    once() {}
    on() {}
    isDestroyed() {
      return false;
    }
    loadURL(url: string) {
      state.windows.at(-1)!.loaded = url;
      // Like Electron's: once loaded, the main frame shows that URL.
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
  }
  const electron = {
    BrowserWindow,
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (h: Handler) => void (state.headersHook = h) },
        setPermissionRequestHandler: (h: Handler) => void (state.permissionHook = h),
      },
    },
    shell: { openExternal: (u: string) => void state.openedExternally.push(u) },
    ipcMain: {
      handle: (ch: string, h: Handler) => void state.ipcHandlers.set(ch, h),
      removeHandler: (ch: string) => void state.ipcHandlers.delete(ch),
      on: (ch: string) => void state.ipcOn.push(ch),
    },
    dialog: {},
    app: {},
  };
  return { state, electron };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
vi.mock('../../src/main/saveDialog', () => ({
  saveWithDialog: async (...args: unknown[]) => {
    fake.state.saved.push(args);
    return { saved: true, path: '/chosen/by/user' };
  },
}));

const { createMainWindow, isOwnFrame, CONTENT_SECURITY_POLICY } = await import('../../src/main/window');
const { bindEngineIpc } = await import('../../src/main/ipc');
const { IPC_CALL, IPC_SAVE_FILE } = await import('../../src/preload/ipcChannels');

function cspDirectives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([name, ...values]) => [name, values]),
  );
}

function expectStrictCsp(csp: string, connect: RegExp): void {
  const d = cspDirectives(csp);
  expect(d.get('default-src')).toEqual(["'none'"]);
  expect(d.get('script-src')).toEqual(["'self'"]);
  expect(d.get('base-uri')).toEqual(["'none'"]);
  expect(d.get('form-action')).toEqual(["'none'"]);
  expect(d.get('object-src') ?? d.get('default-src')).toEqual(["'none'"]);
  for (const v of d.get('connect-src') ?? []) expect(v).toMatch(connect);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic/);
  // No directive opens up to any host or scheme at large.
  for (const [name, values] of d) for (const v of values) expect(['*', 'http:', 'https:', 'ws:', 'wss:', 'blob:', 'data:'].includes(v) && !(name === 'img-src' && /^(data|blob):$/.test(v)), `${name} ${v}`).toBe(false);
}

describe('Electronegativity scan (npm test runs it through this test)', () => {
  it('the shell (src and built out/) has no HIGH finding', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const report = JSON.parse(r.stdout) as { scanned: string[]; checks: { global: number; atomic: number }; errors: number; high: number; findings: { id: string; severity: string }[] };
    expect(report.scanned).toEqual(expect.arrayContaining(['src/main', 'src/preload', 'src/renderer/index.html']));
    expect(report.checks.global + report.checks.atomic).toBeGreaterThan(30);
    expect(report.errors, 'files the scanner could not parse').toBe(0);
    expect(report.high).toBe(0);
    // The checks that matter most ran and found nothing to say.
    const ids = report.findings.map((f) => f.id);
    for (const id of ['CONTEXT_ISOLATION_JS_CHECK', 'NODE_INTEGRATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK', 'WEB_SECURITY_JS_CHECK']) expect(ids).not.toContain(id);
  });

  it('the gate is real: a window with contextIsolation off and no navigation limits fails it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corescope-badwin-'));
    try {
      writeFileSync(join(dir, 'main.js'), "const { BrowserWindow } = require('electron');\nconst w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\nw.loadURL('https://example.com');\n");
      const r = spawnSync(process.execPath, [SCRIPT, '--input', dir], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/HIGH finding/);
      expect(r.stderr).toMatch(/CONTEXT_ISOLATION_JS_CHECK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the BrowserWindow (createMainWindow run against a stand-in electron)', () => {
  beforeEach(() => {
    fake.state.windows.length = 0;
  });

  it('is isolated, sandboxed, without Node, with web security on', () => {
    createMainWindow({ preload: '/opt/corescope/out/preload/index.cjs', renderer: '/opt/corescope/out/renderer/index.html' });
    const prefs = fake.state.windows[0].options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, allowRunningInsecureContent: false });
    expect(prefs).not.toHaveProperty('nodeIntegrationInSubFrames', true);
    expect(prefs).not.toHaveProperty('webviewTag', true);
    expect(prefs).not.toHaveProperty('experimentalFeatures', true);
    expect(prefs.preload).toBe('/opt/corescope/out/preload/index.cjs');
    expect(fake.state.windows[0].loaded).toBe('file:///opt/corescope/out/renderer/index.html');
  });

  it('sends a strict CSP header on every response, over whatever the response had', () => {
    createMainWindow({ preload: '/p.cjs', renderer: '/r/index.html' });
    expectStrictCsp(CONTENT_SECURITY_POLICY, /^'self'$/);
    expect(cspDirectives(CONTENT_SECURITY_POLICY).get('frame-ancestors')).toEqual(["'none'"]);
    let headers: Record<string, string[]> = {};
    fake.state.headersHook!({ responseHeaders: { 'Content-Security-Policy': ["default-src *; script-src 'unsafe-inline'"], 'X-Other': ['1'] } }, (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers['X-Other']).toEqual(['1']);
  });

  it('the page itself carries a strict CSP meta tag (source and built renderer)', () => {
    const pages = [join(ROOT, 'src', 'renderer', 'index.html'), join(ROOT, 'out', 'renderer', 'index.html')].filter(existsSync);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const page of pages) {
      const html = readFileSync(page, 'utf8');
      const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
      expect(meta, `${page} has no CSP meta tag`).not.toBeNull();
      // `serve` needs its WebSocket on loopback; nothing else may be reached.
      expectStrictCsp(meta![1], /^('self'|ws:\/\/127\.0\.0\.1:\*)$/);
      // No inline script anywhere in the page.
      for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        expect(m[1]).toMatch(/\bsrc=/);
        expect(m[2].trim()).toBe('');
      }
    }
  });

  it('refuses navigation elsewhere, redirects, webviews, new windows and every permission', () => {
    createMainWindow({ preload: '/p.cjs', renderer: '/r/index.html' });
    const w = fake.state.windows[0];
    const ev = () => ({ prevented: false, preventDefault() {
      this.prevented = true;
    } });
    const nav = ev();
    w.handlers.get('will-navigate')!(nav, 'https://evil.example/');
    expect(nav.prevented).toBe(true);
    const navFile = ev();
    w.handlers.get('will-navigate')!(navFile, 'file:///etc/passwd');
    expect(navFile.prevented).toBe(true);
    const same = ev();
    w.handlers.get('will-navigate')!(same, 'file:///r/index.html');
    expect(same.prevented).toBe(false);
    const redirect = ev();
    w.handlers.get('will-redirect')!(redirect, 'https://evil.example/');
    expect(redirect.prevented).toBe(true);
    const webview = ev();
    w.handlers.get('will-attach-webview')!(webview);
    expect(webview.prevented).toBe(true);
    fake.state.openedExternally.length = 0;
    for (const url of ['https://docs.python.org/3/', 'http://plain.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share']) expect(w.openHandler!({ url })).toEqual({ action: 'deny' });
    // Only https links leave the app, and only to the user's browser.
    expect(fake.state.openedExternally).toEqual(['https://docs.python.org/3/']);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      let granted: boolean | undefined;
      fake.state.permissionHook!({}, permission, (g: boolean) => (granted = g));
      expect(granted, permission).toBe(false);
    }
  });

  it('the app turns on the sandbox for every renderer and holds quit until workloads are gone', () => {
    const index = readFileSync(join(ROOT, 'src', 'main', 'index.ts'), 'utf8');
    expect(index).toMatch(/app\.enableSandbox\(\)/);
    expect(index).toMatch(/render-process-gone[\s\S]*disposeEngine/);
    expect(index).toMatch(/before-quit[\s\S]*preventDefault[\s\S]*disposeEngine/);
  });
});

describe('IPC: every ipcMain.handle checks sender and arguments', () => {
  let calls: string[];
  // Only the calls this test makes; the API may grow (session calls) without this stand-in.
  const engine = {
    info: async () => (calls.push('info'), {}) as never,
    listScenarios: async () => (calls.push('listScenarios'), []),
    startRun: async () => (calls.push('startRun'), { runId: 'r1' }),
    cancelRun: async () => void calls.push('cancelRun'),
    getRun: async () => (calls.push('getRun'), {}) as never,
    onEvent: () => () => undefined,
  } as Partial<CoreScopeApi> as CoreScopeApi;
  // Our window, opened by the real createMainWindow on the bundled page (the stand-in's main frame shows it).
  const win = createMainWindow({ preload: '/opt/corescope/out/preload/index.cjs', renderer: '/opt/corescope/out/renderer/index.html' });
  const ownFrame = (win.webContents as unknown as { mainFrame: { url: string } }).mainFrame;
  const foreignFrames: [string, unknown][] = [
    ['no frame', null],
    ['an iframe of the page (same URL, not the main frame)', { url: ownFrame.url }],
    ['a frame at a web URL', { url: 'https://evil.example/' }],
  ];

  beforeEach(() => {
    calls = [];
    fake.state.ipcHandlers.clear();
    fake.state.saved.length = 0;
    bindEngineIpc(engine, () => win);
  });

  it('the only IPC entry points are the two handlers under test (no ipcMain.on, no other handle)', () => {
    expect([...fake.state.ipcHandlers.keys()].sort()).toEqual([IPC_CALL, IPC_SAVE_FILE].sort());
    expect(fake.state.ipcOn).toEqual([]);
    // And no other file of the shell registers one behind this test's back.
    for (const f of readdirSync(join(ROOT, 'src', 'main')).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(ROOT, 'src', 'main', f), 'utf8');
      const registrations = text.match(/ipcMain\.(handle|handleOnce|on|once|addListener)\(/g) ?? [];
      expect(registrations.length, f).toBe(f === 'ipc.ts' ? 2 : 0);
    }
  });

  it('a sender that is not our window’s main frame at our page is refused by every handler, before anything runs', async () => {
    for (const [channel, handler] of fake.state.ipcHandlers) {
      for (const [what, frame] of foreignFrames) {
        const reply = (await handler({ senderFrame: frame }, ...(channel === IPC_CALL ? ['startRun', [{ kind: 'command', cmd: 'id' }]] : ['x.csv', 'a,b']))) as { ok: boolean; error?: { message: string } };
        expect(reply, `${channel} from ${what}`).toMatchObject({ ok: false, error: { message: expect.stringMatching(/sender is not the CoreScope window/) } });
      }
    }
    // Our window's main frame, but showing another page (it navigated away somehow): a web page,
    // or another local file, is refused too.
    for (const url of ['https://evil.example/', 'file:///tmp/downloaded.html', 'file:///opt/corescope/out/renderer/other.html']) {
      const navigated = createMainWindow({ preload: '/opt/corescope/out/preload/index.cjs', renderer: '/opt/corescope/out/renderer/index.html' });
      const frame = (navigated.webContents as unknown as { mainFrame: { url: string } }).mainFrame;
      frame.url = url;
      fake.state.ipcHandlers.clear();
      bindEngineIpc(engine, () => navigated);
      for (const [channel, handler] of fake.state.ipcHandlers) {
        const reply = await handler({ senderFrame: frame }, ...(channel === IPC_CALL ? ['listScenarios', []] : ['x.csv', 'a,b']));
        expect(reply, `${channel} at ${url}`).toMatchObject({ ok: false, error: { message: expect.stringMatching(/sender is not the CoreScope window/) } });
      }
      expect(isOwnFrame(navigated, frame as never), url).toBe(false);
    }
    // A window CoreScope did not open, even at our page's URL: not ours.
    const stranger = { isDestroyed: () => false, webContents: { mainFrame: { url: ownFrame.url }, send() {} } } as unknown as Electron.BrowserWindow;
    expect(isOwnFrame(stranger, stranger.webContents.mainFrame as never)).toBe(false);
    expect(isOwnFrame(win, ownFrame as never)).toBe(true);
    // Our page with a hash or query is still our page.
    const withHash = ownFrame.url;
    ownFrame.url = `${withHash}#runs`;
    expect(isOwnFrame(win, ownFrame as never)).toBe(true);
    ownFrame.url = withHash;
    expect(isOwnFrame(win, { url: ownFrame.url } as never)).toBe(false);
    expect(calls).toEqual([]);
    expect(fake.state.saved).toEqual([]);
  });

  it('from our frame, arguments are validated with field names before the engine sees them', async () => {
    const call = fake.state.ipcHandlers.get(IPC_CALL)!;
    const ev = { senderFrame: ownFrame };
    expect(await call(ev, 'dispose', [])).toMatchObject({ ok: false, error: { field: 'method' } });
    expect(await call(ev, '__proto__', [])).toMatchObject({ ok: false, error: { field: 'method' } });
    expect(await call(ev, 'startRun', [{ kind: 'command', cmd: '' }])).toMatchObject({ ok: false, error: { code: 'bad-input', field: 'cmd' } });
    expect(await call(ev, 'startRun', [{ kind: 'scenario', scenario: 'py-threads-cpu', params: { tasks: { $gt: 1 } } }])).toMatchObject({ ok: false, error: { field: expect.stringMatching(/^params/) } });
    expect(await call(ev, 'startRun', 'not a list')).toMatchObject({ ok: false, error: { field: 'args' } });
    expect(await call(ev, 'cancelRun', [''])).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(calls).toEqual([]);
    expect(await call(ev, 'listScenarios', [])).toEqual({ ok: true, result: [] });
    expect(calls).toEqual(['listScenarios']);

    const save = fake.state.ipcHandlers.get(IPC_SAVE_FILE)!;
    expect(await save(ev, '../../.bashrc', 'x')).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(await save(ev, '/etc/passwd', 'x')).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(await save(ev, 'a\0b.csv', 'x')).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(await save(ev, 'x.csv', { toString: 'evil' })).toMatchObject({ ok: false, error: { field: 'data' } });
    expect(fake.state.saved).toEqual([]);
    // A plain name and text: handed to the native dialog, where the user picks the place.
    expect(await save(ev, 'run.csv', 'a,b\n')).toEqual({ ok: true, result: { saved: true, path: '/chosen/by/user' } });
    expect(fake.state.saved).toHaveLength(1);
  });
});
