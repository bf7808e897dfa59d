// `serve` against a real browser (issue 7), beyond e2e/serveSecurity.test.ts: a page served on
// ANOTHER localhost port, opened in headless Chromium, tries to drive CoreScope's WebSocket —
// even knowing the token — and is refused; the same attempt from CoreScope's own page works (so
// the refusal is the Origin check, not a broken setup). Then: what the API lets a renderer run.
// The only way to run a command of one's choosing is the Custom scenario's `kind:'command'`
// request, which the renderer builds only from the Custom form's text field (paramForm.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../e2e/browser';
import { createEngine } from '../../src/engine/engine';
import { startServer, type ServeHandle } from '../../src/cli/serve';
import { apiCallArgs } from '../../src/shared/schemas';
import { SCENARIOS } from '../../src/shared/scenarios';
import type { CoreScopeApi, EngineEvent } from '../../src/shared/api';

const ROOT = join(__dirname, '..', '..');
const engine = createEngine();
const engineCalls: string[] = [];
const events: EngineEvent[] = [];
engine.onEvent((e) => events.push(e));
/** The engine as serve sees it, counting every call that reaches it. */
const counted = new Proxy(engine, {
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver) as unknown;
    if (typeof v !== 'function' || prop === 'onEvent') return typeof v === 'function' ? v.bind(target) : v;
    return (...args: unknown[]) => {
      engineCalls.push(String(prop));
      return (v as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
}) as CoreScopeApi;

let server: ServeHandle;
let attacker: Server;
let attackerPort = 0;
let browser: Browser;
let upgrades: { origin?: string; url?: string }[] = [];

/** What the attacker's page does: try the WebSocket, then a CORS read of the app page. */
const ATTACK_PAGE = (target: string, token: string) => `<!doctype html><meta charset="utf-8"><title>attacker</title>
<script>
window.result = (async () => {
  const ws = (url) => new Promise((resolve) => {
    let s;
    try { s = new WebSocket(url); } catch (e) { return resolve('threw: ' + e.message); }
    const t = setTimeout(() => resolve('timeout'), 4000);
    s.onopen = () => { clearTimeout(t); s.send(JSON.stringify({ id: 1, method: 'startRun', args: [{ kind: 'command', cmd: 'touch /tmp/pwned' }] })); resolve('open'); };
    s.onclose = (e) => { clearTimeout(t); resolve('closed ' + e.code); };
  });
  const withToken = await ws(${JSON.stringify(`ws://${target}/api?token=${token}`)});
  const withoutToken = await ws(${JSON.stringify(`ws://${target}/api`)});
  let read;
  try { const r = await fetch(${JSON.stringify(`http://${target}/?token=${token}`)}); read = 'read ' + r.status + ' ' + (await r.text()).length; }
  catch (e) { read = 'blocked'; }
  return { withToken, withoutToken, read };
})();
</script>`;

beforeAll(async () => {
  server = await startServer({ engine: counted, host: '127.0.0.1', rendererDir: join(ROOT, 'out', 'renderer') });
  // Every upgrade request that reaches serve, to show the refusals happened there.
  const serveUrl = new URL(server.url);
  attacker = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(ATTACK_PAGE(serveUrl.host, server.token));
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
  attackerPort = (attacker.address() as AddressInfo).port;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (attacker ? attacker.close(() => r()) : r()));
  await server?.close();
  await engine.dispose();
});

async function visit(url: string): Promise<{ withToken: string; withoutToken: string; read: string }> {
  const page = await browser.newPage();
  try {
    page.on('websocket', (ws) => upgrades.push({ url: ws.url() }));
    await page.goto(url);
    return (await page.evaluate('window.result')) as { withToken: string; withoutToken: string; read: string };
  } finally {
    await page.close();
  }
}

describe('a page on another localhost port, in Chromium', () => {
  for (const host of ['127.0.0.1', 'localhost']) {
    it(`http://${host}:<other port> cannot open the WebSocket even with the token, nor read the app`, async () => {
      upgrades = [];
      const before = { calls: engineCalls.length, events: events.length };
      const r = await visit(`http://${host}:${attackerPort}/`);
      // The browser really tried (it sent the upgrade), and serve refused it.
      expect(upgrades.length).toBeGreaterThanOrEqual(2);
      expect(r.withToken).not.toBe('open');
      expect(r.withToken).toMatch(/^closed 10\d\d$/);
      expect(r.withoutToken).toMatch(/^closed 10\d\d$/);
      // No CORS grant: the page cannot read the app (and with it the token) cross-origin.
      expect(r.read).toBe('blocked');
      expect(engineCalls.length).toBe(before.calls);
      expect(events.length).toBe(before.events);
    });
  }

  it('control: CoreScope’s own page (same origin) does connect, so the refusals above are the Origin check', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(server.url);
      const url = `${new URL(server.url).origin.replace('http', 'ws')}/api?token=${server.token}`;
      const state = await page.evaluate(
        (u) =>
          new Promise<string>((resolve) => {
            const s = new WebSocket(u);
            s.onopen = () => {
              s.close();
              resolve('open');
            };
            s.onclose = (e) => resolve(`closed ${e.code}`);
          }),
        url,
      );
      expect(state).toBe('open');
    } finally {
      await page.close();
    }
  });

  it('the app page asked for under another Host name (DNS rebinding) is refused', async () => {
    const page = await browser.newPage();
    try {
      const port = new URL(server.url).port;
      const res = await page.goto(`http://localhost:${port}/?token=${server.token}`);
      expect(res?.status()).toBe(421);
      const state = await page.evaluate(
        (u) =>
          new Promise<string>((resolve) => {
            const s = new WebSocket(u);
            s.onopen = () => resolve('open');
            s.onclose = (e) => resolve(`closed ${e.code}`);
          }),
        `ws://localhost:${port}/api?token=${server.token}`,
      );
      expect(state).not.toBe('open');
    } finally {
      await page.close();
    }
  });
});

describe('what the API lets a renderer run', () => {
  // Every call a renderer can make, reviewed for what it can start. Only startRun starts anything;
  // the session calls move bytes of sessions named by an upload id (a pattern, never a path).
  // A call added to the API fails this test until it is reviewed and listed here. listProcesses
  // (the attach picker) only reads /proc: names, users, thread counts and command lines of the
  // machine's programs — less than startRun, which already runs any command; startRun's 'attach'
  // kind reads one program's /proc files and never signals it (test/integration/attach.test.ts).
  // connectMachine runs the system's ssh to a host named as [user@]host[:port] (never an option:
  // test/unit/sshTarget.test.ts), with BatchMode (no prompt) and the user's own keys and config,
  // and starts CoreScope there — what startRun's 'command' kind could already do here; a run with
  // `on` is a startRun there, validated there. listMachines reads the remembered host names;
  // exportMachineSession answers a connected machine's own session as a file (no path).
  // runSuite starts the catalog's scenarios (fixed commands, default parameters) on a connected
  // machine, as startRun with `on` could one by one; stopSuite cancels it. listProcesses with a
  // host lists a connected machine's programs, as it lists this one's.
  const REVIEWED_CALLS = ['info', 'listScenarios', 'startRun', 'cancelRun', 'getRun', 'listProcesses', 'uploadPart', 'loadSession', 'exportSession', 'exportComparison', 'autosave', 'restoreAutosave', 'connectMachine', 'listMachines', 'exportMachineSession', 'runSuite', 'stopSuite'];

  it('every API call (IPC and WebSocket share one table) and every preload member has been reviewed', () => {
    expect(REVIEWED_CALLS).toEqual(expect.arrayContaining(Object.keys(apiCallArgs)));
    for (const core of ['info', 'listScenarios', 'startRun', 'cancelRun', 'getRun']) expect(Object.keys(apiCallArgs)).toContain(core);
    const preload = readFileSync(join(ROOT, 'src', 'preload', 'index.ts'), 'utf8');
    // The preload's own members, plus the shared call table it spreads in.
    const calls = readFileSync(join(ROOT, 'src', 'shared', 'apiOverCall.ts'), 'utf8');
    expect(preload).toMatch(/\.\.\.apiOverCall\(call\)/);
    const exposed = [...preload.matchAll(/^\s{2}(\w+): /gm), ...calls.matchAll(/^\s{4}(\w+): /gm)].map((m) => m[1]);
    expect([...REVIEWED_CALLS, 'onEvent', 'saveFile']).toEqual(expect.arrayContaining(exposed));
    expect(exposed).toEqual(expect.arrayContaining(['startRun', 'onEvent']));
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
  });

  it('the renderer builds a command request only from the Custom form', () => {
    const dir = join(ROOT, 'src', 'renderer');
    const hits: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.ts$/.test(e.name) && /kind: 'command'/.test(readFileSync(join(d, e.name), 'utf8'))) hits.push(join(d, e.name).slice(dir.length + 1));
      }
    };
    walk(dir);
    expect(hits).toEqual(['views/paramForm.ts']);
    const form = readFileSync(join(dir, 'views', 'paramForm.ts'), 'utf8');
    expect(form).toMatch(/runtime === 'custom'\) \{\s*[^}]*kind: 'command', cmd: this\.inputs\.get\('cmd'\)/);
  });

  it('a scenario request runs only the catalog’s script with flags from validated values: no free text reaches argv', async () => {
    const workloads = join(ROOT, 'workloads');
    for (const s of SCENARIOS.filter((x) => x.runtime !== 'custom')) {
      // Every parameter is a number, a choice or a flag: there is no free-text parameter at all.
      for (const p of s.params) expect(['int', 'number', 'enum', 'bool'], `${s.id}.${p.name}`).toContain(p.kind);
      const valueOf = (p: (typeof s.params)[number]) =>
        p.kind === 'enum'
          ? fc.constantFrom(...(p.choices ?? []))
          : p.kind === 'bool'
            ? fc.boolean()
            : p.kind === 'int'
              ? fc.integer({ min: p.min ?? 0, max: p.max ?? 1000 })
              : fc.double({ min: p.min ?? 0, max: p.max ?? 1000, noNaN: true });
      const paramsArb = fc.record(Object.fromEntries(s.params.map((p) => [p.name, valueOf(p)])), { requiredKeys: [] });
      await fc.assert(
        fc.asyncProperty(paramsArb, async (params) => {
          const prepared = await engine.prepare({ kind: 'scenario', scenario: s.id, params });
          const [interpreter, ...rest] = prepared.argv;
          expect(interpreter).toMatch(/(python|node|pypy)[\d.t]*$/);
          expect(rest.some((a) => a.startsWith(workloads))).toBe(true);
          for (const a of rest) {
            if (a.startsWith(workloads) || /^-[A-Za-z]$|^--[a-z][a-z-]*$/.test(a)) continue;
            // Anything else is one of the validated values, as the builder printed it.
            const values = Object.values(prepared.params.scenario!.params).map(String);
            expect(values, `${s.id}: argv element ${JSON.stringify(a)}`).toContain(a);
          }
        }),
        { numRuns: 15 },
      );
    }
  });

  it('the interpreter fields (python/node) take only a working interpreter; anything else is refused by name', async () => {
    // The engine runs the named file once with a fixed probe (`-c <probe>` / `-e <probe>`) and
    // uses it only if the probe answers as Python/Node. The renderer offers discovered runtimes only.
    const before = events.filter((e) => e.type === 'run-started').length;
    await expect(engine.startRun({ kind: 'scenario', scenario: 'py-threads-cpu', params: {}, python: '/bin/echo' })).rejects.toMatchObject({ field: 'python' });
    await expect(engine.startRun({ kind: 'scenario', scenario: 'py-threads-cpu', params: {}, python: '/nonexistent/python3' })).rejects.toMatchObject({ field: 'python' });
    const nodeScenario = SCENARIOS.find((x) => x.runtime === 'node')!.id;
    await expect(engine.startRun({ kind: 'scenario', scenario: nodeScenario, params: {}, node: '/bin/sh' })).rejects.toMatchObject({ field: 'node' });
    expect(events.filter((e) => e.type === 'run-started').length).toBe(before);
  });

  it('the one door to a command of one’s choosing: kind "command", run by /bin/sh -c exactly as typed', async () => {
    const prepared = await engine.prepare({ kind: 'command', cmd: 'echo "$HOME" | wc -c' });
    expect(prepared.argv).toEqual(['/bin/sh', '-c', 'echo "$HOME" | wc -c']);
  });
});
