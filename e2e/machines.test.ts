// The Machines place in Chromium (issue #18): a machine added by name over a real sshd on a
// loopback port (test/helpers/sshServer.ts; the app's engine is given the test's ssh config, as
// `corescope serve --ssh-config` would), its profile shown, a scenario run there live from the
// form's "Run on", the result read as a local one — and the app closing leaves nothing running
// there. Screenshot for the README.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine';
import { startSshServer, type SshServer } from '../test/helpers/sshServer';
import { sustainedCores } from '../test/helpers/sustainedCores';
import { waitFor } from '../test/helpers/waitFor';
import { pidsWithMarker } from '../test/integration/survivors';
import { SCREENSHOTS, chooseScenario, openHarness, processAlive, runThenCancel, runToEnd, type Harness } from './helpers';

let sshd: SshServer;
let h: Harness;
const stateDir = mkdtempSync(join(tmpdir(), 'corescope-e2e-machines-'));

beforeAll(async () => {
  sshd = await startSshServer({ alias: 'lab' });
  h = await openHarness({ stateDir, sshConfig: sshd.clientConfig });
}, 120_000);

let closed = false;

afterAll(async () => {
  if (!closed) await h?.close();
  await sshd?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('Machines: another machine over ssh, from the app', () => {
  const labRow = () => h.page.locator('[data-testid=machine-row][data-host="lab"]');
  /** lab's session, saved from its row; when no file comes, what the Machines place said instead. */
  const saveLabSession = async () => {
    const saved = h.page.waitForEvent('download').catch(async (err: Error) => {
      throw new Error(`${err.message}; the Machines place says: ${await h.page.textContent('[data-testid=remote-machines]')}`);
    });
    await labRow().locator('[data-testid=machine-save-session]').click();
    const download = await saved;
    return { session: JSON.parse(gunzipSync(readFileSync((await download.path())!)).toString()), fileName: download.suggestedFilename() };
  };

  it('says why a machine cannot be reached, under the field', async () => {
    await h.page.fill('[data-testid=machine-host]', '-oProxyCommand=x');
    await h.page.click('[data-testid=machine-connect]');
    await expect.poll(() => h.page.textContent('[data-testid=machine-error]'), { timeout: 10_000 }).toMatch(/^Machine: "-oProxyCommand=x" is not a host name/);
    await h.page.fill('[data-testid=machine-host]', 'no-such-host.invalid');
    await h.page.press('[data-testid=machine-host]', 'Enter');
    await expect.poll(() => h.page.textContent('[data-testid=machine-error]'), { timeout: 15_000 }).toMatch(/^Could not connect to no-such-host\.invalid: host name not found/);
    expect(await h.page.isHidden('.run-on')).toBe(true);
  }, 30_000);

  it('connects, shows its profile, runs a scenario there live, and reads it as a local run', async () => {
    await h.page.fill('[data-testid=machine-host]', 'lab');
    await h.page.click('[data-testid=machine-connect]');
    const row = h.page.locator('[data-testid=machine-row][data-host="lab"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('class')).toMatch(/connected/);
    expect(await row.textContent()).toMatch(/\d+ cores · .* · Node \d+/);
    expect(await h.page.textContent('[data-testid=machine-error]')).toBe('');
    // Run on: this machine, or lab.
    expect(await h.page.isVisible('.run-on')).toBe(true);
    await h.page.selectOption('[data-testid=run-on]', 'lab');
    await chooseScenario(h.page, 'py-mp-cpu', { tasks: 2, workMs: 1500 });
    const { runId } = await runToEnd(h.page, 60_000);
    expect(runId).toMatch(/@lab$/);
    const record = await h.engine.getRun(runId);
    expect(record.result.exit.reason).toBe('exited');
    // It ran "there": its workload's files are the bundle's, in the remote's cache.
    expect(record.samples.processes.some((p) => p.cmdline.includes(join(sshd.cacheDir, 'corescope', 'bundles')))).toBe(true);
    expect(sustainedCores(record.result)).toBeGreaterThan(1.6);
    expect(await h.page.textContent('[data-testid=shown-run]')).toMatch(/on lab/);
    // The pictures: the form's Run on with the run there, and the Machines place itself.
    await h.page.screenshot({ path: join(SCREENSHOTS, 'machines.png') });
    await h.page.locator('[data-testid=remote-machines]').screenshot({ path: join(SCREENSHOTS, 'machines-place.png') });
    // This machine's session does not count it; lab's own session holds it, with lab's hardware.
    expect(await h.page.textContent('[data-testid=session-count]')).toBe('no runs yet');
    const { session, fileName } = await saveLabSession();
    expect(session.runs.map((r: { result: { runId: string } }) => `${r.result.runId}@lab`)).toEqual([runId]);
    expect(session.hardware.hostname).toBe((await h.engine.listMachines()).find((m) => m.host === 'lab')!.info!.hardware.hostname);
    expect(fileName).toMatch(/\.session\.json\.gz$/);
    await expect.poll(() => h.page.textContent('[data-testid=remote-machines] .machine-status')).toMatch(/^Saved lab's session: /);
    expect(h.pageErrors).toEqual([]);
  }, 120_000);

  it('keeps what reached the app when the connection drops mid-run: the run ends, marked incomplete, and exports here', async () => {
    const labHostname = (await h.engine.listMachines()).find((m) => m.host === 'lab')!.info!.hardware.hostname;
    await h.page.selectOption('[data-testid=run-on]', 'lab');
    await chooseScenario(h.page, 'py-mp-cpu', { tasks: 2, workMs: 20000 });
    const before = await h.page.locator('tr[data-run-id]').count();
    await h.page.click('[data-testid=run-button]');
    // Two seconds of the run stream here, then the link goes: the ssh client under this app's engine is killed.
    await new Promise((r) => setTimeout(r, 3000));
    const ssh = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'ssh'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
    expect(ssh).toHaveLength(1);
    process.kill(ssh[0], 'SIGKILL');
    await h.page.waitForFunction((n) => document.querySelectorAll('tr[data-run-id]').length > n, before, { timeout: 30_000, polling: 250 });
    const row = h.page.locator('tr[data-run-id]').first();
    const runId = (await row.getAttribute('data-run-id'))!;
    expect(runId).toMatch(/@lab$/);
    expect(await row.locator('td.exit').textContent()).toBe('connection lost');
    expect(await h.page.textContent('[data-testid=run-status]')).toMatch(/^Connection lost: what reached this machine is kept, marked incomplete/);
    expect(await h.page.textContent('[data-testid=error-banner]')).toMatch(/The connection to lab was lost.*Incomplete: the connection to lab ended/s);
    const record = await h.engine.getRun(runId);
    expect(record.result.exit.reason).toBe('connection-lost');
    // What streamed before the link went: two processes busy, about two cores.
    expect(record.samples.t.length).toBeGreaterThanOrEqual(30);
    expect(record.result.parallelism).toBeGreaterThan(1.2);
    // Exported here, with lab's profile, marked incomplete.
    const file = await h.engine.exportSession('session-json', runId);
    const session = JSON.parse(String(file.data));
    expect(session.incomplete).toMatch(/connection .* lost/);
    expect(session.runs.map((r: { result: { runId: string } }) => r.result.runId)).toEqual([runId]);
    expect(session.hardware.hostname).toBe(labHostname);
    // Nothing of the run is left there: the agent and its workload ended with the connection.
    expect(await waitFor(() => pidsWithMarker(sshd.cacheDir).length === 0, 15_000), `still running there: ${pidsWithMarker(sshd.cacheDir).join(', ')}`).toBe(true);
    // lab is listed as not connected any more, and Run on no longer offers it.
    await expect.poll(() => h.page.locator('[data-testid=machine-row][data-host="lab"]').getAttribute('class'), { timeout: 10_000 }).toBe('');
    expect(await h.page.isHidden('.run-on')).toBe(true);
    expect(h.pageErrors).toEqual([]);
    // Connected again for what follows, from its row.
    await h.page.click('[data-testid=machine-row][data-host="lab"] button');
    await expect.poll(() => h.page.locator('[data-testid=machine-row][data-host="lab"]').getAttribute('class'), { timeout: 30_000 }).toBe('connected');
  }, 120_000);

  it("attaches to a program running there: its programs listed, one picked, watched, stopped — and left running", async () => {
    // A program a user started on lab (this machine plays lab): two Python processes busy.
    const target = spawn('python3', ['-c', 'import multiprocessing as mp, time\ndef spin():\n  end=time.time()+60\n  while time.time()<end: pass\nif __name__=="__main__":\n  ps=[mp.Process(target=spin) for _ in range(2)]\n  [p.start() for p in ps]\n  [p.join() for p in ps]'], { stdio: 'ignore', detached: true });
    try {
      await h.page.click('button.scenario[data-scenario="attach"]');
      expect(await h.page.isVisible('.run-on')).toBe(true);
      await h.page.selectOption('[data-testid=run-on]', 'lab');
      // lab's programs, asked of lab's engine.
      await expect.poll(() => h.page.textContent('[data-testid=attach-list] .help'), { timeout: 10_000 }).toMatch(/^\d+ programs running on lab;/);
      await h.page.fill('[data-testid=attach-search]', String(target.pid));
      const row = h.page.locator(`[data-testid=attach-list] tr[data-pid="${target.pid}"]`);
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      const first = await runThenCancel(h.page, 3000);
      const runId = (await first.getAttribute('data-run-id'))!;
      expect(runId).toMatch(/@lab$/);
      expect(await first.locator('td.exit').textContent()).toBe('stopped watching');
      const record = await h.engine.getRun(runId);
      expect(record.result.attach).toMatchObject({ pid: target.pid, endedBy: 'stopped' });
      // Both processes busy while it was watched.
      expect(record.result.parallelism).toBeGreaterThan(1.4);
      // Only what it did while watched: not the CPU it had used before (counted, it read above the machine's cores).
      expect(record.result.parallelism).toBeLessThanOrEqual(record.samples.coreCount + 0.1);
      // Never signalled: still running after the watching ended.
      expect(processAlive(target.pid!)).toBe(true);
      expect(h.pageErrors).toEqual([]);
    } finally {
      try {
        process.kill(-target.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, 90_000);

  it('runs the suite there from its row: progress live, no run beside it, Stop keeps what finished', async () => {
    await labRow().locator('[data-testid=machine-run-suite]').click();
    const done = async () => Number(/^Suite: (\d+) of \d+ runs done — /.exec((await labRow().locator('[data-testid=machine-suite]').textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(done, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await h.page.locator('[data-testid=remote-machines]').screenshot({ path: join(SCREENSHOTS, 'machines-suite.png') });
    // A run from the form on lab now would measure beside the suite: refused, saying why.
    await h.page.click('button.scenario[data-scenario="py-mp-cpu"]');
    await h.page.selectOption('[data-testid=run-on]', 'lab');
    await h.page.click('[data-testid=run-button]');
    await expect.poll(() => h.page.textContent('body'), { timeout: 10_000 }).toMatch(/the suite is running on lab; a run beside it would disturb both/);
    await labRow().locator('[data-testid=machine-stop-suite]').click();
    await expect.poll(() => labRow().locator('[data-testid=machine-suite]').textContent(), { timeout: 30_000 }).toMatch(/^Suite ended early: \d+ run\(s\), 0 sweep\(s\).* kept \(interrupted after \d+ of \d+ runs\)/);
    const { session } = await saveLabSession();
    expect(session.incomplete).toMatch(/^the suite: interrupted after \d+ of \d+ runs/);
    // The suite's runs (the first scenarios, at their defaults) beside the runs made there before.
    expect(session.runs.map((r: { result: { scenario?: string } }) => r.result.scenario)).toContain('py-asyncio-sleep');
    expect(h.pageErrors).toEqual([]);
  }, 120_000);

  it('runs the whole suite there: every scenario, then the sweeps, saved with lab\'s hardware and the sweeps', async () => {
    await labRow().locator('[data-testid=machine-run-suite]').click();
    await expect.poll(() => labRow().locator('[data-testid=machine-suite]').textContent(), { timeout: 300_000, interval: 1000 }).toMatch(/^Suite done: \d+ run\(s\), 4 sweep\(s\)/);
    const { session } = await saveLabSession();
    expect(session.incomplete).toBeUndefined();
    expect(session.sweeps.map((s: { scenario: string }) => s.scenario)).toEqual(['py-mp-cpu', 'py-threads-cpu', 'node-worker-threads', 'node-fork']);
    // The multiprocessing sweep scales there, the GIL one does not: the same physics as a suite from the command line.
    const mp = session.sweeps[0].points.find((p: { tasks: number }) => p.tasks === 2);
    const gil = session.sweeps[1].points.find((p: { tasks: number }) => p.tasks === 2);
    expect(mp.parallelism.mean).toBeGreaterThan(1.4);
    expect(gil.parallelism.mean).toBeLessThan(1.3);
    // Every sweep run is in the session, and the session says which machine it was.
    const ids = new Set(session.runs.map((r: { result: { runId: string } }) => r.result.runId));
    for (const s of session.sweeps) for (const r of s.runs) expect(ids.has(r.runId)).toBe(true);
    expect(session.hardware.hostname).toBe((await h.engine.listMachines()).find((m) => m.host === 'lab')!.info!.hardware.hostname);
    expect(h.pageErrors).toEqual([]);
  }, 320_000);

  it('remembers the machine for the next start; closing the app leaves nothing running there', async () => {
    const later = createEngine({ stateDir, sshConfig: sshd.clientConfig });
    try {
      expect((await later.listMachines()).map((m) => [m.host, m.connected])).toEqual([['lab', false]]);
    } finally {
      await later.dispose();
    }
    expect(pidsWithMarker(sshd.cacheDir).length).toBeGreaterThan(0);
    await h.close();
    closed = true;
    expect(await waitFor(() => pidsWithMarker(sshd.cacheDir).length === 0, 15_000), `still running there: ${pidsWithMarker(sshd.cacheDir).join(', ')}`).toBe(true);
  }, 60_000);
});
