#!/usr/bin/env node
// @ts-check
// `npm run test:electron`: tests of the real Electron app with Playwright's _electron.launch.
// Where no Electron binary is installed it says so and exits non-zero: a test that could not run
// has not passed. (Without a binary, test/integration/electronLifecycle.test.ts drives the same
// shell code against a stand-in `electron` module; this script is the version with the real one.)
//
//   1. Smoke: the window is locked down, the API is exposed through the preload only, a short
//      scenario run completes.
//   2. No orphans when the app goes away (issue 7). Each case launches the app afresh, starts
//      a scenario from the UI (py-threads-cpu, one minute of work) and a command run through
//      window.corescope.startRun (what the Custom form sends: `sleep 60` plus a `setsid` child and
//      a double-forked child, marked in their command lines), waits until the engine tracks every
//      process of both, then ends the app one way and checks that the Electron process exits by
//      itself and that no tracked pid and no marked process is alive:
//        - close the window (BrowserWindow.close(), as the close button does);
//        - quit the app (app.quit(), as Cmd-Q / File › Quit do);
//        - crash the renderer (webContents.forcefullyCrashRenderer()).
import { _electron as electron } from 'playwright-core';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { ROOT, electronArgs, ensureBuilt, findElectronBinary } from './start.mjs';
import { statField } from './lib/procStat.mjs';

const log = (/** @type {string} */ msg) => process.stdout.write(`test:electron: ${msg}\n`);

class TestFailure extends Error {}
/** @param {string} message @returns {never} */
function fail(message) {
  throw new TestFailure(message);
}

const found = findElectronBinary();
if (!found.path) {
  process.stderr.write(
    `test:electron: cannot run — no Electron binary is installed (${found.reason}).\n` +
      'Nothing was tested: not the smoke test, not the window-close / quit / renderer-crash checks.\n' +
      'Install one where downloads work (npm install electron), or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron.\n',
  );
  process.exit(2);
}
const ELECTRON = found.path;

// ---------- processes (same rules as test/integration/survivors.ts: a zombie counts as gone) ----------

/** @param {number} pid */
function alive(pid) {
  try {
    const state = statField(readFileSync(`/proc/${pid}/stat`, 'utf8'), 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line contains the marker (this process excluded). */
function pidsWithMarker(/** @type {string} */ marker) {
  /** @type {number[]} */
  const out = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker) && alive(pid)) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}

/** @param {() => boolean} check @param {number} ms */
async function waitFor(check, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** @param {number[]} pids */
function killAll(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const sleeper = (/** @type {string} */ m) => `${PYTHON} -c "import time; time.sleep(60)" ${m}`;
const escapingWorkload = (/** @type {string} */ m) => `setsid ${sleeper(m)} & (${sleeper(m)} &); sleep 60`;

// ---------- the app ----------

async function launch() {
  const app = await electron.launch({ executablePath: ELECTRON, args: [ROOT, ...electronArgs()], timeout: 30_000 });
  const win = await app.firstWindow();
  await win.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { app, win };
}

/** @param {import('playwright-core').ElectronApplication} app */
function exited(app) {
  const proc = app.process();
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
    else proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function smoke() {
  const { app, win } = await launch();
  try {
    const transport = await win.getAttribute('body', 'data-transport');
    if (transport !== 'electron') fail(`the renderer used the ${transport} transport, not the preload`);

    // The renderer sees exactly the typed API (src/shared/apiOverCall.ts + onEvent, saveFile) and no Node.
    const surface = await win.evaluate(() => ({
      // @ts-expect-error window.corescope exists only in the app's renderer
      keys: Object.keys(globalThis.corescope ?? {}).sort(),
      node: typeof globalThis.require !== 'undefined' || typeof globalThis.process !== 'undefined',
    }));
    const expected = ['autosave', 'cancelRun', 'exportComparison', 'exportSession', 'getRun', 'info', 'listScenarios', 'loadSession', 'onEvent', 'restoreAutosave', 'saveFile', 'startRun', 'uploadPart'];
    if (JSON.stringify(surface.keys) !== JSON.stringify(expected)) fail(`window.corescope exposes ${surface.keys.join(', ')}; expected ${expected.join(', ')}`);
    if (surface.node) fail('Node globals are reachable from the renderer');
    // webContents.getLastWebPreferences() is not in Electron 41's typings (not public API): use it
    // where it exists; elsewhere the options are asserted by test/integration/electronSecurity.test.ts.
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = /** @type {{ getLastWebPreferences?: () => Record<string, unknown> | null }} */ (/** @type {unknown} */ (BrowserWindow.getAllWindows()[0].webContents));
      const p = typeof wc.getLastWebPreferences === 'function' ? wc.getLastWebPreferences() : null;
      return p ? { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration } : null;
    });
    if (prefs && (!prefs.contextIsolation || !prefs.sandbox || prefs.nodeIntegration)) fail(`insecure webPreferences ${JSON.stringify(prefs)}`);
    if (!prefs) log('webContents.getLastWebPreferences() is not available in this Electron: webPreferences checked by the renderer probes above only');

    // One short real run end to end.
    await win.click('button.scenario[data-scenario="py-threads-cpu"]');
    await win.fill('[data-testid=param-form] [name="tasks"]', '1');
    await win.fill('[data-testid=param-form] [name="workMs"]', '300');
    await win.click('[data-testid=run-button]');
    await win.waitForSelector('tr[data-run-id]', { timeout: 30_000 });
    log('smoke passed (window secure, API exposed via preload, a run completed)');
  } finally {
    await app.close().catch(() => undefined);
  }
}

/**
 * One way out: launch, start a scenario from the UI and an escaping command tree through the
 * API, wait until the engine tracks them, end the app with `end`, check nothing survives.
 * @param {string} name
 * @param {(ctx: { app: import('playwright-core').ElectronApplication, win: import('playwright-core').Page }) => Promise<unknown>} end
 */
async function lifecycleCase(name, end) {
  const marker = `cs-electron-${process.pid}-${name.replace(/\W+/g, '-')}`;
  const { app, win } = await launch();
  /** @type {number[]} */
  let tracked = [];
  try {
    // Collect, in the renderer, the pids the engine reports for every run (its tracked threads).
    await win.evaluate(() => {
      /** @type {Record<string, number[]>} */
      const pids = {};
      // @ts-expect-error test-only global in the renderer
      globalThis.__csTracked = pids;
      // @ts-expect-error window.corescope exists only in the app's renderer
      globalThis.corescope.onEvent((/** @type {any} */ e) => {
        if (e.type !== 'live') return;
        const set = new Set(pids[e.batch.runId] ?? []);
        for (const th of e.batch.threads) set.add(th.pid);
        pids[e.batch.runId] = [...set];
      });
    });
    // A scenario, from the UI: two GIL-bound threads with a minute of work each.
    await win.click('button.scenario[data-scenario="py-threads-cpu"]');
    await win.fill('[data-testid=param-form] [name="tasks"]', '2');
    await win.fill('[data-testid=param-form] [name="workMs"]', '60000');
    await win.click('[data-testid=run-button]');
    // A command tree that tries to escape, as the Custom form would send it.
    const cmd = escapingWorkload(marker);
    // @ts-expect-error window.corescope exists only in the app's renderer
    const { runId } = await win.evaluate((c) => globalThis.corescope.startRun({ kind: 'command', cmd: c, rateHz: 50, timeoutS: 120 }), cmd);

    /** @returns {Promise<Record<string, number[]>>} */
    const trackedByRun = () =>
      // @ts-expect-error test-only global in the renderer
      win.evaluate(() => globalThis.__csTracked);
    let ready = false;
    const deadline = Date.now() + 30_000;
    while (!ready && Date.now() < deadline) {
      const byRun = await trackedByRun();
      const commandPids = new Set(byRun[runId] ?? []);
      const sleepers = pidsWithMarker(marker).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith(`${PYTHON}\0-c`));
      const scenarioRuns = Object.keys(byRun).filter((id) => id !== runId && (byRun[id] ?? []).length > 0);
      ready = sleepers.length === 2 && sleepers.every((p) => commandPids.has(p)) && scenarioRuns.length === 1;
      tracked = Object.values(byRun).flat();
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    if (!ready) fail(`${name}: the engine did not track both runs within 30 s (tracked ${tracked.join(', ')}; marked ${pidsWithMarker(marker).join(', ')})`);

    const gone = exited(app);
    await end({ app, win });
    const timedOut = await Promise.race([gone.then(() => false), new Promise((r) => setTimeout(() => r(true), 30_000))]);
    if (timedOut) fail(`${name}: the app did not exit within 30 s`);
    const left = () => [...new Set([...tracked.filter(alive), ...pidsWithMarker(marker)])];
    // The app quits only after the engine ended every tree; allow the kernel a moment to reap.
    if (!(await waitFor(() => left().length === 0, 2_000))) fail(`${name}: processes of the runs survived the app: ${left().join(', ')}`);
    log(`${name}: passed (${tracked.length} tracked pids and every marked process gone, the app exited by itself)`);
  } finally {
    await app.close().catch(() => undefined);
    killAll([...tracked.filter(alive), ...pidsWithMarker(marker)]);
  }
}

ensureBuilt();
try {
  await smoke();
  // Each trigger is fired without waiting on its answer: the app may be gone before it comes back.
  // Whether the trigger worked is judged by the app exiting by itself (30 s) and what survives.
  await lifecycleCase('close the window', async ({ app }) => {
    void app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].close()).catch(() => undefined);
  });
  await lifecycleCase('quit the app', async ({ app }) => {
    void app.evaluate(({ app: electronApp }) => electronApp.quit()).catch(() => undefined);
  });
  await lifecycleCase('crash the renderer', async ({ app }) => {
    void app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].webContents.forcefullyCrashRenderer()).catch(() => undefined);
  });
  log('passed (smoke; window close, app quit and renderer crash each left no process behind)');
} catch (err) {
  process.stderr.write(`test:electron: FAILED — ${err instanceof TestFailure ? err.message : (err instanceof Error ? err.stack : String(err))}\n`);
  process.exit(1);
}
