// No orphans when the app goes away (issue 7): closing the window, quitting the app (window-all-
// closed, before-quit) and a renderer crash (render-process-gone) must each dispose the engine
// and end every workload tree before the app is allowed to quit.
//
// What is real here and what is not. ELECTRON ITSELF IS STOOD IN FOR: no Electron binary can be
// installed on this machine, so `electron` is replaced by a small fake (as in
// electronSecurity.test.ts) that records the handlers the shell registers and lets the test fire
// the events Electron would fire. Everything else is real: the shell's own entry module
// (src/main/index.ts, imported afresh for every test) creates the real engine, binds the real IPC
// handler, opens the window through the real createMainWindow, and registers its own quit / close
// / crash handlers; the run is started through that IPC handler, as the renderer would, and runs
// a real workload (`sleep 60` plus a `setsid` child and a double-forked child, both long sleeps)
// under the real keeper. The fake `app.quit()` behaves like Electron's: it emits 'before-quit' and
// quits only when no listener called preventDefault. The test then checks, by the pids the engine
// tracked and by a marker in the command lines, that nothing of the tree is alive — at the moment
// the app quits, and after. The same scenarios against the real Electron binary are in
// scripts/test-electron.mjs (`npm run test:electron`), which cannot run here.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/engine/engine';
import type { EngineEvent } from '../../src/shared/api';
import type { RunRecord } from '../../src/shared/types';
import { pidsOf, pidsWithMarker, survivors, survivorsAfter } from './survivors';

// ---- the stand-in for `electron` ----------------------------------------------------------------
const fake = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  type QuitEvent = { defaultPrevented: boolean; preventDefault(): void };
  const state = {
    appHandlers: new Map<string, Handler[]>(),
    windows: [] as { win: unknown; handlers: Map<string, Handler[]>; wcHandlers: Map<string, Handler[]> }[],
    ipcHandlers: new Map<string, Handler>(),
    sent: [] as { channel: string; payload: unknown }[],
    /** What happened, in order: 'before-quit (prevented)', 'before-quit', 'quit', 'dispose:start'… */
    timeline: [] as string[],
    quitted: false,
    /** Called synchronously at the moment the app really quits (no listener prevented it). */
    onQuit: null as null | (() => void),
    /** Every engine the shell created (through the real createEngine, wrapped only to keep a handle). */
    engines: [] as unknown[],
  };
  const add = (map: Map<string, Handler[]>, name: string, h: Handler): void => void map.set(name, [...(map.get(name) ?? []), h]);
  const emit = (map: Map<string, Handler[]>, name: string, ...args: unknown[]): void => {
    for (const h of map.get(name) ?? []) h(...args);
  };
  const quitEvent = (): QuitEvent => ({
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  });
  const app = {
    requestSingleInstanceLock: () => true,
    enableSandbox: () => undefined,
    whenReady: () => Promise.resolve(),
    on(name: string, h: Handler) {
      add(state.appHandlers, name, h);
      return app;
    },
    /** Like Electron's: 'before-quit' first; the app quits only if nobody prevented it. */
    quit() {
      if (state.quitted) return;
      const ev = quitEvent();
      emit(state.appHandlers, 'before-quit', ev);
      state.timeline.push(ev.defaultPrevented ? 'before-quit (prevented)' : 'before-quit');
      if (ev.defaultPrevented) return;
      state.quitted = true;
      state.onQuit?.();
      state.timeline.push('quit');
      emit(state.appHandlers, 'will-quit', quitEvent());
      emit(state.appHandlers, 'quit', quitEvent());
    },
  };
  class WebContents {
    mainFrame = { url: 'file:///opt/corescope/out/renderer/index.html' };
    constructor(private readonly handlers: Map<string, Handler[]>) {}
    on(name: string, h: Handler) {
      add(this.handlers, name, h);
      return this;
    }
    setWindowOpenHandler() {}
    send(channel: string, payload: unknown) {
      state.sent.push({ channel, payload });
    }
  }
  class BrowserWindow {
    webContents: WebContents;
    private readonly rec: (typeof state.windows)[number];
    destroyed = false;
    constructor() {
      this.rec = { win: this, handlers: new Map(), wcHandlers: new Map() };
      state.windows.push(this.rec);
      this.webContents = new WebContents(this.rec.wcHandlers);
    }
    on(name: string, h: Handler) {
      add(this.rec.handlers, name, h);
      return this;
    }
    once(name: string, h: Handler) {
      return this.on(name, h);
    }
    isDestroyed() {
      return this.destroyed;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    focus() {}
    show() {}
    /** Like Electron's: once loaded, the main frame shows that URL (the IPC sender check compares them). */
    loadURL(url: string) {
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
  }
  const electron = {
    app,
    BrowserWindow,
    session: { defaultSession: { webRequest: { onHeadersReceived: () => undefined }, setPermissionRequestHandler: () => undefined } },
    shell: { openExternal: () => Promise.resolve() },
    ipcMain: {
      handle: (ch: string, h: Handler) => void state.ipcHandlers.set(ch, h),
      removeHandler: (ch: string) => void state.ipcHandlers.delete(ch),
    },
    Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (t: unknown) => t },
    dialog: {},
  };
  const reset = (): void => {
    state.appHandlers.clear();
    state.windows.length = 0;
    state.ipcHandlers.clear();
    state.sent.length = 0;
    state.timeline.length = 0;
    state.quitted = false;
    state.onQuit = null;
    state.engines.length = 0;
  };
  return { state, electron, emit, quitEvent, reset };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
// The real engine, unchanged: the wrapper only keeps a handle on the instance the shell creates
// (to read the run's record after the window is gone) and notes when dispose starts and ends.
vi.mock('../../src/engine/engine', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/engine/engine')>();
  return {
    ...real,
    createEngine: (...args: Parameters<typeof real.createEngine>) => {
      const engine = real.createEngine(...args);
      const dispose = engine.dispose.bind(engine);
      engine.dispose = async () => {
        fake.state.timeline.push('dispose:start');
        await dispose();
        fake.state.timeline.push('dispose:end');
      };
      fake.state.engines.push(engine);
      return engine;
    },
  };
});

const { IPC_CALL, IPC_EVENT } = await import('../../src/preload/ipcChannels');

// ---- helpers --------------------------------------------------------------------------------------

let seq = 0;
const markersUsed: string[] = [];
const newMarker = (what: string): string => {
  const m = `cs-lifecycle-${process.pid}-${what}-${++seq}`;
  markersUsed.push(m);
  return m;
};
// The system interpreter, not a version-manager shim (a pyenv shim is a tree of bash scripts).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
/** A python that sleeps with the marker in its argv (visible in /proc/<pid>/cmdline). */
const sleeper = (marker: string): string => `${PYTHON} -c "import time; time.sleep(60)" ${marker}`;
/** `sleep 60` with a setsid child and a double-forked child that try to escape the tree. */
const workload = (m: string): string => `setsid ${sleeper(m)} & (${sleeper(m)} &); sleep 60`;

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

interface Shell {
  engine: Engine;
  window: (typeof fake.state.windows)[number];
  call: (method: string, args: unknown[]) => Promise<{ ok: boolean; result?: unknown; error?: { message: string } }>;
}

/** Loads the shell's entry module afresh (a new app, engine and window), as Electron would at start. */
async function launchShell(): Promise<Shell> {
  vi.resetModules();
  fake.reset();
  await import('../../src/main/index');
  // app.whenReady() resolved: the IPC handler is bound and the window is open.
  expect(await waitFor(() => fake.state.ipcHandlers.has(IPC_CALL) && fake.state.windows.length === 1, 5_000)).toBe(true);
  expect(fake.state.engines).toHaveLength(1);
  const window = fake.state.windows[0];
  const ownFrame = (window.win as { webContents: { mainFrame: unknown } }).webContents.mainFrame;
  const handler = fake.state.ipcHandlers.get(IPC_CALL)!;
  return {
    engine: fake.state.engines[0] as Engine,
    window,
    call: async (method, args) => (await handler({ senderFrame: ownFrame }, method, args)) as Awaited<ReturnType<Shell['call']>>,
  };
}

/** Pids the engine has reported in the live stream the window received (its tracked threads). */
function trackedPidsSent(runId: string): Set<number> {
  const pids = new Set<number>();
  for (const s of fake.state.sent) {
    const e = s.payload as EngineEvent;
    if (s.channel === IPC_EVENT && e.type === 'live' && e.batch.runId === runId) for (const th of e.batch.threads) pids.add(th.pid);
  }
  return pids;
}

/**
 * Starts the workload through the shell's IPC handler (as the renderer does) and waits until the
 * engine tracks every process of it, escaped ones included: the check afterwards means something.
 */
async function startTrackedRun(shell: Shell, marker: string): Promise<{ runId: string; markerPids: number[] }> {
  const reply = await shell.call('startRun', [{ kind: 'command', cmd: workload(marker), rateHz: 50, timeoutS: 120 }]);
  expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true });
  const runId = (reply.result as { runId: string }).runId;
  let markerPids: number[] = [];
  const tracked = await waitFor(() => {
    // The shell running the command line carries the marker too, and so does the keeper (the
    // engine's own process around the tree, which it does not report as workload): the two
    // sleepers must be up, and everything of the workload tracked.
    markerPids = pidsWithMarker(marker).filter((p) => !cmdlineOf(p).includes('keeper.py'));
    const seen = trackedPidsSent(runId);
    return markerPids.filter((p) => cmdlineOf(p).startsWith(`${PYTHON} -c`)).length === 2 && markerPids.every((p) => seen.has(p));
  }, 10_000);
  expect(tracked, `marker pids ${markerPids}, tracked ${[...trackedPidsSent(runId)]}`).toBe(true);
  return { runId, markerPids };
}

/** Arms the check that runs at the very moment the app quits: nothing of the run may be alive then. */
function survivorsAtQuit(marker: string, tracked: () => number[]): { value: number[] | null } {
  const at = { value: null as number[] | null };
  fake.state.onQuit = () => {
    at.value = [...new Set([...pidsWithMarker(marker), ...survivors(tracked())])];
  };
  return at;
}

async function expectRunEndedWithNothingLeft(shell: Shell, runId: string, marker: string, markerPids: number[]): Promise<RunRecord> {
  const record = await shell.engine.getRun(runId);
  // The report of a run the app ended says so and keeps what was recorded.
  expect(record.result.exit.reason).toBe('profiler-exit');
  expect(record.samples.t.length).toBeGreaterThan(5);
  // The escaped children were tracked by the engine, so the pid check covers them.
  const pids = pidsOf(record);
  for (const p of markerPids) expect(pids).toContain(p);
  expect(await survivorsAfter(record)).toEqual([]);
  expect(pidsWithMarker(marker)).toEqual([]);
  return record;
}

const windowAt = (shell: Shell) => shell.window.win as { destroyed: boolean };

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(async () => {
  vi.restoreAllMocks();
  // Whatever a failed test left behind: dispose its engines, then SIGKILL by marker (ours only).
  for (const e of fake.state.engines) await (e as Engine).dispose().catch(() => undefined);
  for (const m of markersUsed.splice(0)) {
    for (const pid of pidsWithMarker(m)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
});

describe('the Electron shell (src/main/index.ts, with electron stood in for) disposes the real engine and leaves no process', () => {
  it("window 'closed': dispose ends sleep 60 and its setsid / double-forked children, then the app quits", async () => {
    const shell = await launchShell();
    const m = newMarker('closed');
    const { runId, markerPids } = await startTrackedRun(shell, m);
    const tracked = [...trackedPidsSent(runId)];
    const atQuit = survivorsAtQuit(m, () => tracked);

    windowAt(shell).destroyed = true;
    fake.emit(shell.window.handlers, 'closed');

    expect(await waitFor(() => fake.state.quitted, 15_000), fake.state.timeline.join(' → ')).toBe(true);
    // The quit waited for the engine: dispose finished before the app really quit.
    expect(fake.state.timeline).toEqual(['dispose:start', 'dispose:end', 'before-quit (prevented)', 'before-quit', 'quit']);
    expect(atQuit.value).toEqual([]);
    await expectRunEndedWithNothingLeft(shell, runId, m, markerPids);
  });

  it("app 'window-all-closed': the app quits, before-quit holds the quit until every tree is gone", async () => {
    const shell = await launchShell();
    const m = newMarker('all-closed');
    const { runId, markerPids } = await startTrackedRun(shell, m);
    const tracked = [...trackedPidsSent(runId)];
    const atQuit = survivorsAtQuit(m, () => tracked);

    fake.emit(fake.state.appHandlers, 'window-all-closed');

    expect(await waitFor(() => fake.state.quitted, 15_000), fake.state.timeline.join(' → ')).toBe(true);
    expect(fake.state.timeline).toEqual(['dispose:start', 'before-quit (prevented)', 'dispose:end', 'before-quit', 'quit']);
    expect(atQuit.value).toEqual([]);
    await expectRunEndedWithNothingLeft(shell, runId, m, markerPids);
  });

  it("app 'before-quit' (Cmd-Q, the File › Quit menu): the first one is prevented, the engine is disposed, then the quit goes through", async () => {
    const shell = await launchShell();
    const m = newMarker('before-quit');
    const { runId, markerPids } = await startTrackedRun(shell, m);
    const tracked = [...trackedPidsSent(runId)];
    const atQuit = survivorsAtQuit(m, () => tracked);

    const first = fake.quitEvent();
    fake.emit(fake.state.appHandlers, 'before-quit', first);
    expect(first.defaultPrevented).toBe(true);
    // The workload is still being ended: the quit has not happened yet.
    expect(fake.state.quitted).toBe(false);

    expect(await waitFor(() => fake.state.quitted, 15_000), fake.state.timeline.join(' → ')).toBe(true);
    expect(fake.state.timeline).toEqual(['dispose:start', 'dispose:end', 'before-quit', 'quit']);
    expect(atQuit.value).toEqual([]);
    await expectRunEndedWithNothingLeft(shell, runId, m, markerPids);
    // And the engine takes no new run once the app is going away.
    expect(await shell.call('startRun', [{ kind: 'command', cmd: 'sleep 60', rateHz: 20 }])).toMatchObject({ ok: false, error: { message: expect.stringMatching(/shut down/) } });
  });

  it("webContents 'render-process-gone' (renderer crash): every workload is ended and the app quits", async () => {
    const shell = await launchShell();
    const m = newMarker('renderer-gone');
    const { runId, markerPids } = await startTrackedRun(shell, m);
    const tracked = [...trackedPidsSent(runId)];
    const atQuit = survivorsAtQuit(m, () => tracked);

    fake.emit(shell.window.wcHandlers, 'render-process-gone', {}, { reason: 'crashed', exitCode: 139 });

    expect(await waitFor(() => fake.state.quitted, 15_000), fake.state.timeline.join(' → ')).toBe(true);
    expect(fake.state.timeline).toEqual(['dispose:start', 'dispose:end', 'before-quit (prevented)', 'before-quit', 'quit']);
    expect(atQuit.value).toEqual([]);
    await expectRunEndedWithNothingLeft(shell, runId, m, markerPids);
  });

  it('two ways out at once (the renderer crashes, then the window closes and the app quits): one dispose, nothing left', async () => {
    const shell = await launchShell();
    const m = newMarker('crash-then-close');
    const { runId, markerPids } = await startTrackedRun(shell, m);
    const tracked = [...trackedPidsSent(runId)];
    const atQuit = survivorsAtQuit(m, () => tracked);

    fake.emit(shell.window.wcHandlers, 'render-process-gone', {}, { reason: 'oom', exitCode: 0 });
    windowAt(shell).destroyed = true;
    fake.emit(shell.window.handlers, 'closed');
    fake.emit(fake.state.appHandlers, 'window-all-closed');

    expect(await waitFor(() => fake.state.quitted, 15_000), fake.state.timeline.join(' → ')).toBe(true);
    expect(fake.state.timeline.filter((s) => s === 'dispose:start')).toHaveLength(1);
    expect(fake.state.timeline.indexOf('dispose:end')).toBeLessThan(fake.state.timeline.indexOf('quit'));
    expect(atQuit.value).toEqual([]);
    await expectRunEndedWithNothingLeft(shell, runId, m, markerPids);
  });
});
