// Which code, on real programs through the engine: the probes go in by the environment alone, the
// run's record carries the stack samples, and the findings name the function and line — the busy
// function of GIL-bound threads, the coroutine that blocked an asyncio loop, a Node main-thread
// loop, a worker_thread's hot function, a multiprocessing child's function (fork and spawn). A
// program with its own sitecustomize and NODE_OPTIONS runs unchanged. No process is left after.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import type { ParamValue } from '../../src/shared/model';
import type { RunRecord } from '../../src/shared/types';
import { leafFrame, type StackFrame } from '../../src/shared/stackSamples';
import { survivorsAfter } from './survivors';

const engine = createEngine();
afterAll(() => engine.dispose());

async function checked(record: RunRecord, what: string): Promise<RunRecord> {
  expect(await survivorsAfter(record), `processes of ${what} still alive`).toEqual([]);
  expect(record.result.exit, `${what} stderr: ${record.stderr.slice(-800)}`).toMatchObject({ code: 0, reason: 'exited' });
  expect(record.stacks, `${what}: no stack samples; warnings: ${record.result.warnings.join(' | ')}`).toBeDefined();
  return record;
}

const scenario = async (id: string, params: Record<string, ParamValue>): Promise<RunRecord> =>
  checked(await engine.runToEnd({ kind: 'scenario', scenario: id, params, rateHz: 20, timeoutS: 60 }), id);

const command = async (cmd: string, cwd: string, env: Record<string, string> = {}): Promise<RunRecord> =>
  checked(await engine.runToEnd({ kind: 'command', cmd, cwd, env, rateHz: 20, timeoutS: 60 }), cmd);

/** Share of the thread samples kept whose innermost frame matches, weighted by CPU. */
function cpuShareIn(rec: RunRecord, match: (f: StackFrame) => boolean, keep: (i: number) => boolean = () => true): number {
  const s = rec.stacks!;
  let inIt = 0;
  let all = 0;
  for (let i = 0; i < s.t.length; i++) {
    if (s.task[i] || !keep(i)) continue;
    const w = Number.isFinite(s.cpuMs[i]) ? s.cpuMs[i] : 1;
    all += w;
    const leaf = leafFrame(s, i);
    if (leaf && match(leaf)) inIt += w;
  }
  return all > 0 ? inIt / all : 0;
}

const dir = mkdtempSync(join(tmpdir(), 'corescope-stacks-test-'));

describe('stack samples name the code', { retry: 1 }, () => {
  it('GIL-bound threads: the finding names the thread that ran spin() at its line, and a thread waiting', async () => {
    const rec = await scenario('py-threads-cpu', { tasks: 2, workMs: 800 });
    const gil = rec.result.findings?.find((f) => f.kind === 'gil');
    expect(gil, JSON.stringify(rec.result.findings)).toBeDefined();
    expect(gil!.frame.name).toBe('spin');
    expect(gil!.frame.file).toMatch(/workloads\/python\/_work\.py$/);
    expect(gil!.frame.line).toBeGreaterThan(10);
    expect(gil!.waiting).toBeGreaterThanOrEqual(1);
    expect(gil!.text).toMatch(/^thread \S+ \(pid \d+\) ran spin\(\) at python\/_work\.py:\d+ in \d+ % of the time/);
    // The tids are the kernel's: the same threads the lanes show.
    const tids = new Set(rec.result.threads.map((t) => t.tid));
    expect(tids.has(gil!.tid)).toBe(true);
    const phase = rec.result.phases?.find((p) => p.kind === 'interleaved');
    expect(phase?.code, JSON.stringify(rec.result.phases)).toMatch(/ran spin\(\)/);
  });

  it('asyncio loop blocked by a CPU coroutine: each late heartbeat names spin() called from busy_for() from cpu_hog()', async () => {
    const rec = await scenario('py-asyncio-blocked', {});
    const blocked = (rec.result.findings ?? []).filter((f) => f.kind === 'blocked');
    expect(blocked.length, JSON.stringify(rec.result.findings)).toBeGreaterThan(0);
    const longest = blocked.sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs))[0];
    expect(longest.frame.name).toBe('spin');
    expect(longest.callers.map((c) => c.name).slice(0, 2)).toEqual(['busy_for', 'cpu_hog']);
    expect(longest.text).toMatch(/^the event loop \(pid \d+\) was blocked \d+ ms in spin\(\) at python\/_work\.py:\d+ \(called from busy_for\(\) at python\/asyncio_blocked\.py:\d+, from cpu_hog\(\) at python\/asyncio_blocked\.py:\d+\)$/);
  });

  // V8 inlines block() into busyFor() and spin(): the innermost frame is whichever of _work.mjs's
  // functions it kept, at the hot line of the loop.
  const inWork = (f: StackFrame): boolean => f.file.endsWith('node/_work.mjs');

  it('Node main-thread CPU loop: V8 samples name the function on the main thread, and each late heartbeat names it', async () => {
    const rec = await scenario('node-main-cpu', { tasks: 2, workMs: 600 });
    const main = rec.result.threads.find((t) => t.role === 'main' && t.pid === t.tid)!;
    const share = cpuShareIn(rec, inWork, (i) => rec.stacks!.tid[i] === main.tid);
    expect(share, 'share of the main thread in _work.mjs').toBeGreaterThan(0.5);
    const blocked = (rec.result.findings ?? []).filter((f) => f.kind === 'blocked');
    expect(blocked.length, JSON.stringify(rec.result.findings)).toBeGreaterThan(0);
    for (const f of blocked) expect(f.text).toMatch(/^the event loop \(pid \d+\) was blocked \d+ ms in \w+\(\) at node\/_work\.mjs:\d+ \(called from job\(\) at node\/main_cpu\.mjs:\d+/);
  });

  it('Node worker_threads: the hot function is sampled on the workers, not the main thread', async () => {
    const rec = await scenario('node-worker-threads', { tasks: 2, workMs: 600 });
    const s = rec.stacks!;
    const workerTids = new Set<number>();
    for (let i = 0; i < s.t.length; i++) {
      const leaf = leafFrame(s, i);
      if (leaf && inWork(leaf) && s.tid[i] !== s.pid[i]) workerTids.add(s.tid[i]);
    }
    expect(workerTids.size, `worker threads sampled in _work.mjs: ${[...workerTids]}`).toBe(2);
    expect(workerTids.has(0), 'every worker profile was matched to its thread').toBe(false);
    const threads = new Set(rec.result.threads.map((t) => t.tid));
    for (const tid of workerTids) expect(threads.has(tid), `tid ${tid} is a thread of the run`).toBe(true);
  });

  it('multiprocessing children (fork and spawn): each child has samples in its own function', async () => {
    const script = join(dir, 'mp_children.py');
    writeFileSync(
      script,
      [
        'import multiprocessing as mp, sys',
        'def crunch(n):',
        '    x = 0',
        '    for i in range(n):',
        '        x += i * i',
        '    return x',
        "if __name__ == '__main__':",
        '    mp.set_start_method(sys.argv[1])',
        '    ps = [mp.Process(target=crunch, args=(6_000_000,)) for _ in range(2)]',
        '    [p.start() for p in ps]',
        '    [p.join() for p in ps]',
        '',
      ].join('\n'),
    );
    for (const method of ['fork', 'spawn']) {
      const rec = await command(`python3 mp_children.py ${method}`, dir);
      const s = rec.stacks!;
      const children = new Set<number>();
      for (let i = 0; i < s.t.length; i++) if (leafFrame(s, i)?.name === 'crunch') children.add(s.pid[i]);
      expect(children.size, `${method}: processes sampled in crunch()`).toBe(2);
      expect(rec.result.phases?.some((p) => /crunch\(\) at .*mp_children\.py:\d+/.test(p.code ?? '')), `${method}: ${JSON.stringify(rec.result.phases)}`).toBe(true);
    }
  });

  it("a program with its own sitecustomize and NODE_OPTIONS runs unchanged, with stacks", async () => {
    const own = mkdtempSync(join(dir, 'own-'));
    writeFileSync(join(own, 'sitecustomize.py'), `open(${JSON.stringify(join(own, 'site-ran'))}, 'w').write('yes')\n`);
    writeFileSync(join(own, 'preload.cjs'), `require('fs').writeFileSync(${JSON.stringify(join(own, 'preload-ran'))}, 'yes');\n`);
    writeFileSync(join(own, 'prog.py'), 'import sys\nprint("out")\nsys.stderr.write("err\\n")\n');
    writeFileSync(join(own, 'prog.js'), "console.log(require('v8').getHeapStatistics().heap_size_limit < 200 * 1024 * 1024 ? 'small heap' : 'big heap');\n");
    const py = await command('python3 prog.py', own, { PYTHONPATH: own });
    expect(readFileSync(join(own, 'site-ran'), 'utf8')).toBe('yes');
    expect(py.stdout).toBe('out\n');
    expect(py.stderr).toBe('err\n');
    const js = await command(`${JSON.stringify(process.execPath)} prog.js`, own, { NODE_OPTIONS: `--require ${join(own, 'preload.cjs')} --max-old-space-size=100` });
    expect(readFileSync(join(own, 'preload-ran'), 'utf8')).toBe('yes');
    expect(js.stdout).toBe('small heap\n');
  });

  it('--stacks off: no probe, no stack samples', async () => {
    const rec = await engine.runToEnd({ kind: 'command', cmd: 'python3 -c "print(1)"', stacksHz: 0, rateHz: 20, timeoutS: 30 });
    expect(rec.stacks).toBeUndefined();
    expect(rec.result.params.stacksHz).toBe(0);
  });
});
