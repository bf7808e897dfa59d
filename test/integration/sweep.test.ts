// Real sweeps through the built CLI on this machine: processes scale across 2 cores, threads
// under the GIL do not. Small work keeps them quick; physics ratios hold on 2 cores when the
// machine is not busy with something else (rerun when it is quieter rather than loosen them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/shared/sweep';
import { loadSession } from '../../src/engine/session/sessionFile';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corescope.mjs');
const dir = mkdtempSync(join(tmpdir(), 'corescope-sweep-'));

beforeAll(() => {
  if (!existsSync(join(ROOT, 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `node scripts/build-cli.mjs` (npm test does this first)');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sweep(args: string[]): { code: number | null; sweep: SweepResult; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'sweep', ...args, '--json'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`sweep failed (${r.status}): ${r.stderr}`);
  return { code: r.status, sweep: JSON.parse(r.stdout) as SweepResult, stderr: r.stderr };
}

// Physics on a shared VM: this machine's speed was measured changing by up to 1.75x from one
// second to the next (the same pure-Python loop at 18k or 32k iterations/ms), which can sink one
// measurement. Each test may run again, up to twice; it passes only on a measurement that
// really shows the physics, and a failing machine still fails.
describe.skipIf(cpus().length < 2)('corescope sweep (real runs)', { retry: 2 }, () => {
  it('multiprocessing CPU: 2 tasks take about as long as 1, speedup > 1.6', async () => {
    const out = join(dir, 'mp.session.json');
    const { sweep: sw, stderr } = sweep(['py-mp-cpu', '--tasks', '1,2', '--repeat', '2', '--work-ms', '400', '--out', out]);
    expect(stderr).toMatch(/run 3\/4: py-mp-cpu tasks=2 repeat 1\/2/);
    const two = sw.points.find((p) => p.tasks === 2)!;
    expect(two.runs).toBe(2);
    expect(two.speedup!.mean).toBeGreaterThan(1.6);
    expect(two.parallelism.mean).toBeGreaterThan(1.4);
    expect(sw.amdahl!.serialFraction).toBeLessThan(0.25);
    // The session holds every run and the sweep.
    const session = await loadSession(out);
    expect(session.runs).toHaveLength(4);
    expect(session.sweeps![0].points).toEqual(sw.points);
    expect(session.incomplete).toBeUndefined();
  });

  it('threads CPU (GIL): 2 tasks take about twice as long, speedup < 1.3', () => {
    const { sweep: sw } = sweep(['py-threads-cpu', '--tasks', '1,2', '--repeat', '2', '--work-ms', '400']);
    const two = sw.points.find((p) => p.tasks === 2)!;
    expect(two.speedup!.mean).toBeLessThan(1.3);
    expect(two.parallelism.mean).toBeLessThan(1.3);
    expect(sw.amdahl!.serialFraction).toBeGreaterThan(0.5);
  });

  it('rejects bad input with exit 2 naming the option', () => {
    const r = spawnSync(process.execPath, [BIN, 'sweep', 'py-mp-cpu', '--tasks', '1,zero'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--tasks must be a comma-separated list of whole numbers from 1 to 64 \(got "zero"/);
    const s = spawnSync(process.execPath, [BIN, 'sweep', 'node-cluster-http'], { encoding: 'utf8' });
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/no tasks parameter/);
  });

  it('Ctrl-C keeps the finished runs and writes --out marked incomplete', async () => {
    const out = join(dir, 'cut.session.json');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'sweep', 'py-mp-cpu', '--tasks', '1,2', '--repeat', '3', '--work-ms', '300', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Wait until the third run starts (two are finished), then interrupt.
    const deadline = Date.now() + 60_000;
    while (!/run 3\/6/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    const session = await loadSession(out);
    expect(session.incomplete).toMatch(/interrupted after 2 of 6 runs/);
    expect(session.runs).toHaveLength(2);
    expect(session.sweeps![0].complete).toBe(false);
  });
});
