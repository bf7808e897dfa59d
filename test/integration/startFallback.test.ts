// `npm start` on a machine with no display and no Electron binary (issue 12): it must print the
// URL of the served UI on one line, serve the page, answer an API call over the WebSocket with the
// page's token, and leave nothing running after Ctrl-C. The steps are scripts/smoke-start.mjs,
// the same script .ci/run runs on its clean clone before `npm test`; this test runs it on the tree
// under test and reads its report.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error — a plain .mjs script without type declarations
import { findElectronBinary } from '../../scripts/start.mjs';

const ROOT = join(__dirname, '..', '..');

describe('npm start without Electron and without a display', () => {
  it('prints the URL, serves the page and the API, and Ctrl-C leaves nothing running', () => {
    if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) throw new Error('the app is not built: run `npm run build` (npm test does this first)');
    // Where an Electron binary is installed, `npm start` opens Electron: ask for the fallback by name.
    const electron = (findElectronBinary as () => { path?: string })();
    const args = electron.path ? ['--', '--browser'] : [];
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'smoke-start.mjs'), '--timeout', '120', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
    const report = `${r.stdout}\n${r.stderr}`;
    expect(report, report).toMatch(/smoke: printed the URL on one line: CoreScope is serving on http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    if (!electron.path) expect(report).toMatch(/no Electron binary available/);
    expect(report).toMatch(/GET \/ → 200/);
    expect(report).toMatch(/WebSocket call listScenarios with the token → \d+ scenarios/);
    expect(report).toMatch(/no process of it left running/);
    expect(r.status, report).toBe(0);
  }, 180_000);
});
