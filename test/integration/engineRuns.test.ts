// The engine profiling real commands on this machine: the physics of concurrency vs parallelism
// (thresholds for 2 cores, see NOTES.md), exact CPU accounting, and no survivors after any run.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { findKeeperPython } from '../../src/engine/run/keeperPython';
import type { RunRecord } from '../../src/shared/types';
import { survivorsAfter } from './survivors';
import { sustainedCores } from '../helpers/sustainedCores';

const engine = createEngine();
afterAll(() => engine.dispose());

// The interpreter itself, not a shim (pyenv's is a bash script whose start-up is serial work).
const PY = findKeeperPython() ?? 'python3';

const PY_GIL_THREADS = `${PY} -c '
import threading
def work():
    x = 0
    for i in range(12_000_000): x += i
ts = [threading.Thread(target=work) for _ in range(2)]
[t.start() for t in ts]; [t.join() for t in ts]'`;

// More work per process than the threads test (~1.5 s here), so starting the interpreter, importing
// multiprocessing and forking stay a small serial share of the run.
const PY_PROCESSES = `${PY} -c '
import multiprocessing as mp
def work():
    x = 0
    for i in range(40_000_000): x += i
if __name__ == "__main__":
    ps = [mp.Process(target=work) for _ in range(2)]
    [p.start() for p in ps]; [p.join() for p in ps]'`;

async function run(cmd: string, extra: { timeoutS?: number; rateHz?: number } = {}): Promise<RunRecord> {
  const record = await engine.runToEnd({ kind: 'command', cmd, rateHz: extra.rateHz ?? 20, timeoutS: extra.timeoutS ?? 60 });
  expect(await survivorsAfter(record), 'processes of the run still alive').toEqual([]);
  return record;
}

// Physics on a shared VM: this machine's speed was measured changing by up to 1.75x from one
// second to the next (the same pure-Python loop at 18k or 32k iterations/ms), which can sink one
// measurement. Each test may run again, up to twice; it passes only on a measurement that
// really shows the physics, and a failing machine still fails.
describe('physics of real commands (2 cores)', { retry: 2 }, () => {
  it('two pure-Python threads stay near one core (the GIL)', async () => {
    const r = (await run(PY_GIL_THREADS)).result;
    expect(r.exit).toMatchObject({ code: 0, reason: 'exited' });
    expect(r.parallelism).toBeLessThan(1.3);
    expect(r.parallelism).toBeGreaterThan(0.5);
    expect(r.verdict.kind).toBe('interleaved');
    const pyThreads = r.threads.filter((t) => t.role === 'python-thread' && t.cpuMs > 100);
    expect(pyThreads.length).toBeGreaterThanOrEqual(2);
    expect(r.windows.some((w) => w.reason?.kind === 'gil-or-lock')).toBe(true);
  });

  it('the same work in two processes approaches two cores', async () => {
    const r = (await run(PY_PROCESSES)).result;
    expect(sustainedCores(r), JSON.stringify(r.phases?.map((p) => [p.kind, p.cores, p.toMs - p.fromMs]))).toBeGreaterThan(1.6);
    expect(r.verdict.kind).toBe('parallel');
    expect(r.processes).toBeGreaterThanOrEqual(3);
    expect(r.threads.filter((t) => t.role === 'mp-child').length).toBeGreaterThanOrEqual(2);
  });

  it('a shell running two busy loops fills two cores', async () => {
    const r = (await run(`sh -c 'timeout 1.5 sh -c "while :; do :; done" & timeout 1.5 sh -c "while :; do :; done" & wait'`)).result;
    expect(r.parallelism).toBeGreaterThan(1.6);
    expect(r.cores.every((c) => c.busyPct > 60)).toBe(true);
  });

  it('a command that sleeps 1 s is mostly waiting', async () => {
    const r = (await run('sleep 1')).result;
    expect(r.wallMs).toBeGreaterThan(950);
    expect(r.parallelism).toBeLessThan(0.1);
    expect(r.verdict.kind).toBe('waiting');
  });

  it('short-lived children keep the CPU they used (within 10 % of /usr/bin/time on the same execution)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corescope-time-'));
    const script = join(dir, 'children.sh');
    writeFileSync(script, `for i in $(seq 40); do awk 'BEGIN{for(i=0;i<400000;i++)s+=i}'; done\n`);
    // /usr/bin/time runs inside the profiled tree, so both measure the very same processes.
    const out = join(dir, 'time.txt');
    const r = (await run(`/usr/bin/time -f '%U %S' -o ${out} sh ${script}`)).result;
    const [u, s] = readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
    const referenceMs = (u + s) * 1000;
    expect(referenceMs).toBeGreaterThan(200);
    expect(Math.abs(r.cpu.totalMs - referenceMs) / referenceMs).toBeLessThan(0.1);
    // The per-sample series accounts for them too, not only the final total.
    const rec = await engine.getRun(r.runId);
    const sampledMs = rec.samples.workloadCores.reduce((sum, c, i) => sum + c * (i === 0 ? 0 : rec.samples.t[i] - rec.samples.t[i - 1]), 0);
    expect(sampledMs / r.cpu.totalMs).toBeGreaterThan(0.8);
  });
});

describe('run lifecycle', () => {
  it('records stdout, stderr and the exit code', async () => {
    const rec = await run(`sh -c 'echo out; echo err >&2; exit 3'`);
    expect(rec.stdout).toBe('out\n');
    expect(rec.stderr).toBe('err\n');
    expect(rec.result.exit).toMatchObject({ code: 3, signal: null, reason: 'exited' });
  });

  it('a timeout ends the whole tree, including children that called setsid', async () => {
    const rec = await run(`sh -c 'setsid sleep 60 & (sleep 60 &) ; sleep 60'`, { timeoutS: 0.7 });
    expect(rec.result.exit.reason).toBe('timeout');
    expect(rec.result.wallMs).toBeLessThan(5000);
    expect(rec.samples.processes.length).toBeGreaterThanOrEqual(3);
  });

  it('cancel ends the whole tree, including double-forked daemons', async () => {
    const { runId } = await engine.startRun({ kind: 'command', cmd: `sh -c '(setsid sh -c "sleep 60 & wait" &); python3 -c "import time; time.sleep(60)"'`, timeoutS: 60 });
    await new Promise((r) => setTimeout(r, 800));
    await engine.cancelRun(runId);
    const rec = await engine.getRun(runId);
    expect(rec.result.exit.reason).toBe('cancelled');
    expect(rec.samples.processes.length).toBeGreaterThanOrEqual(3);
    expect(await survivorsAfter(rec)).toEqual([]);
  });

  it('stores events from fd 3 on the run time axis and counts malformed lines', async () => {
    const rec = await run(
      `sh -c 'echo "{\\"ev\\":\\"task-start\\",\\"task\\":\\"a\\"}" >&3; echo "not json" >&3; echo "{\\"ev\\":\\"task-start\\",\\"task\\":\\"b\\"}" >&3; sleep 0.3; echo "{\\"ev\\":\\"task-end\\",\\"task\\":\\"a\\"}" >&3; echo "{\\"ev\\":\\"lag\\",\\"lagMs\\":80}" >&3; echo "{\\"ev\\":\\"task-end\\",\\"task\\":\\"b\\"}" >&3'`,
    );
    const kinds = rec.events.map((e) => e.kind);
    expect(kinds).toEqual(['task-start', 'task-start', 'task-end', 'lag', 'task-end']);
    expect(rec.events[2].t - rec.events[0].t).toBeGreaterThan(250);
    expect(rec.result.peakConcurrency).toBe(2);
    expect(rec.result.lag?.maxMs).toBe(80);
    expect(rec.result.warnings.join(' ')).toMatch(/1 malformed event line/);
  });

  it('rejects bad input with the field and the allowed range', async () => {
    await expect(engine.startRun({ kind: 'command', cmd: 'true', rateHz: 500 })).rejects.toMatchObject({ field: 'rateHz', message: expect.stringMatching(/from 1 to 100/) });
    await expect(engine.startRun({ kind: 'command', cmd: 'true', timeoutS: -1 })).rejects.toMatchObject({ field: 'timeoutS' });
    await expect(engine.startRun({ kind: 'scenario', scenario: 'nope', params: {} })).rejects.toMatchObject({ field: 'scenario' });
  });

  it('samples at the requested rate', async () => {
    const rec = await run('sleep 1', { rateHz: 50 });
    const t = rec.samples.t;
    const achievedHz = ((t.length - 1) / (t[t.length - 1] - t[0])) * 1000;
    expect(achievedHz).toBeGreaterThan(40);
    expect(achievedHz).toBeLessThan(52);
    expect(rec.samples.coreUser.length).toBe(rec.samples.coreCount);
  });
});
