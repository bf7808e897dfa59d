#!/usr/bin/env node
// `npm run test:electron`: a smoke test of the real Electron app with Playwright's
// _electron.launch. Where no Electron binary is installed it says so and exits non-zero: a
// test that could not run has not passed.
import { _electron as electron } from 'playwright-core';
import { ROOT, electronArgs, ensureBuilt, findElectronBinary } from './start.mjs';

function fail(message) {
  process.stderr.write(`test:electron: FAILED — ${message}\n`);
  process.exit(1);
}

const found = findElectronBinary();
if (!found.path) {
  process.stderr.write(
    `test:electron: cannot run — no Electron binary is installed (${found.reason}).\n` +
      'Install one where downloads work (npm install electron), or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron.\n',
  );
  process.exit(2);
}

ensureBuilt();
const app = await electron.launch({ executablePath: found.path, args: [ROOT, ...electronArgs()], timeout: 30_000 });
try {
  const win = await app.firstWindow();
  await win.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const transport = await win.getAttribute('body', 'data-transport');
  if (transport !== 'electron') fail(`the renderer used the ${transport} transport, not the preload`);

  // The renderer sees exactly the typed API and no Node.
  const surface = await win.evaluate(() => ({
    keys: Object.keys(globalThis.corescope ?? {}).sort(),
    node: typeof globalThis.require !== 'undefined' || typeof globalThis.process !== 'undefined',
  }));
  const expected = ['cancelRun', 'getRun', 'info', 'listScenarios', 'onEvent', 'saveFile', 'startRun'];
  if (JSON.stringify(surface.keys) !== JSON.stringify(expected)) fail(`window.corescope exposes ${surface.keys.join(', ')}`);
  if (surface.node) fail('Node globals are reachable from the renderer');
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const w = BrowserWindow.getAllWindows()[0];
    const p = w.webContents.getLastWebPreferences();
    return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration };
  });
  if (!prefs.contextIsolation || !prefs.sandbox || prefs.nodeIntegration) fail(`insecure webPreferences ${JSON.stringify(prefs)}`);

  // One short real run end to end.
  await win.click('button.scenario[data-scenario="py-threads-cpu"]');
  await win.fill('[data-testid=param-form] [name="tasks"]', '1');
  await win.fill('[data-testid=param-form] [name="workMs"]', '300');
  await win.click('[data-testid=run-button]');
  await win.waitForSelector('tr[data-run-id]', { timeout: 30_000 });
  process.stdout.write('test:electron: passed (window secure, API exposed via preload, a run completed)\n');
} catch (err) {
  fail(err?.message ?? String(err));
} finally {
  await app.close().catch(() => undefined);
}
