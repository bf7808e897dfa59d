// A run record with stack samples whose answer is known, for the exporters' tests (trace events,
// HTML report, speedscope): one Python process, 1.2 s, stack samples at 100 Hz.
// - 0–200 ms, start-up: the main thread imports (on a core), its stack alternating between
//   <module> → _find_and_load → exec_module → get_code and <module> → exec_module → get_code:
//   frames that end and begin again at another depth in one instant (as Node's ESM loader's do).
// - 200–1000 ms, interleaved: worker-1 and worker-2 take turns at the GIL in count() (worker-1
//   7 ticks in 10, worker-2 the other 3; the one not running used no CPU), count's line moving
//   from 12 to 13 every 100 ms; the main thread waits in join().
// - 1000–1200 ms, waiting: the workers are gone; the main thread runs the event loop, blocked
//   1030–1150 ms in crunch() (a lag event of 120 ms at 1150 says so) and otherwise in select();
//   two asyncio tasks wait at asyncio.sleep all along.
// Phases, windows and events as the engine would have them; the findings and code lines are
// made by the real attribution (shared/attribution.ts), as a run makes them.
import { attribute } from '../../src/shared/attribution';
import { StackSamplesBuilder, type StackFrame } from '../../src/shared/stackSamples';
import type { Phase, RunRecord, RunSamples, WindowVerdict, WorkloadEvent } from '../../src/shared/types';

export const HZ = 100;
export const PID = 100;
/** A function and a file named to break out of HTML, for the escaping tests. */
export const HOSTILE_NAME = '<script>alert("count")</script>';
export const HOSTILE_FILE = '/home/me/<img src=x onerror=alert(1)>/<script>evil.py';
const fr = (name: string, line: number, file = '/home/me/app/app.py'): StackFrame => ({ name, file, line });

export function stackRecord(opts: { hostile?: boolean } = {}): RunRecord {
  const THREADING = '/usr/lib/python3.11/threading.py';
  const ASYNCIO = '/usr/lib/python3.11/asyncio/base_events.py';
  const F = {
    module: fr('<module>', 60),
    importer: fr('_find_and_load', 1176, '<frozen importlib._bootstrap>'),
    execModule: fr('exec_module', 940, '<frozen importlib._bootstrap_external>'),
    getCode: fr('get_code', 1074, '<frozen importlib._bootstrap_external>'),
    boot: fr('_bootstrap', 1002, THREADING),
    inner: fr('_bootstrap_inner', 1045, THREADING),
    run: fr('run', 982, THREADING),
    worker: fr('worker', 20),
    count12: opts.hostile ? fr(HOSTILE_NAME, 12, HOSTILE_FILE) : fr('count', 12, '/home/me/app/work.py'),
    count13: opts.hostile ? fr(HOSTILE_NAME, 13, HOSTILE_FILE) : fr('count', 13, '/home/me/app/work.py'),
    join: fr('join', 1119, THREADING),
    lock: fr('_wait_for_tstate_lock', 1139, THREADING),
    runLoop: fr('run_forever', 607, ASYNCIO),
    select: fr('select', 468, '/usr/lib/python3.11/selectors.py'),
    handler: fr('handler', 50),
    crunch: fr('crunch', 55),
    sleeper: fr('sleeper', 30),
    sleep: fr('sleep', 640, '/usr/lib/python3.11/asyncio/tasks.py'),
  };
  const b = new StackSamplesBuilder(HZ);
  for (let k = 0; k < 120; k++) {
    const t = k * 10 + 1;
    if (t < 200) b.add({ t, pid: PID, tid: PID, frames: k % 2 ? [F.module, F.execModule, F.getCode] : [F.module, F.importer, F.execModule, F.getCode], cpuMs: 10, threadName: 'MainThread' });
    else if (t < 1000) {
      const w1Runs = k % 10 < 7;
      const count = Math.floor(t / 100) % 2 ? F.count13 : F.count12;
      const stack = [F.boot, F.inner, F.run, F.worker, count];
      b.add({ t, pid: PID, tid: 101, frames: stack, cpuMs: w1Runs ? 10 : 0, threadName: 'worker-1' });
      b.add({ t, pid: PID, tid: 102, frames: stack, cpuMs: w1Runs ? 0 : 10, threadName: 'worker-2' });
      b.add({ t, pid: PID, tid: PID, frames: [F.module, F.join, F.lock], cpuMs: 0, threadName: 'MainThread' });
    } else {
      const blocked = t >= 1030 && t < 1150;
      b.add({ t, pid: PID, tid: PID, frames: blocked ? [F.module, F.runLoop, F.handler, F.crunch] : [F.module, F.runLoop, F.select], cpuMs: blocked ? 10 : 0.1, threadName: 'MainThread' });
      for (let task = 0; task < 2; task++) b.add({ t, pid: PID, tid: PID, frames: [F.sleeper, F.sleep], kind: 'task', threadName: `Task-${task + 2}` });
    }
  }
  b.source({ pid: PID, runtime: 'python', samples: b.count });
  const stacks = b.build();

  // The sampler: 50 Hz, its own view of the same threads.
  const t: number[] = [];
  for (let x = 0; x <= 1200; x += 20) t.push(x);
  const share = (tid: number, x: number): number => {
    if (tid === PID) return x < 200 || (x >= 1030 && x < 1150) ? 1 : 0.01;
    if (x < 200 || x >= 1000) return NaN;
    return tid === 101 ? 0.7 : 0.3;
  };
  const tids = [PID, 101, 102];
  const samples: RunSamples = {
    rateHz: 50,
    coreCount: 2,
    t,
    coreUser: [t.map(() => 0.5), t.map(() => 0.5)],
    coreSystem: [t.map(() => 0), t.map(() => 0)],
    coreIowait: [t.map(() => 0), t.map(() => 0)],
    workloadCores: t.map((x) => (x < 200 ? 1 : x < 1000 ? 1 : 0.1)),
    threadCpu: tids.map((tid) => t.map((x) => share(tid, x))),
    threadCore: tids.map((tid) => t.map((x) => (Number.isFinite(share(tid, x)) && share(tid, x) > 0.02 ? (tid === 102 ? 1 : 0) : -1))),
    threads: [
      { pid: PID, tid: PID, name: 'python3', role: 'main', firstSeenMs: 0 },
      { pid: PID, tid: 101, name: 'worker-1', role: 'python-thread', firstSeenMs: 200, exitedMs: 1000 },
      { pid: PID, tid: 102, name: 'worker-2', role: 'python-thread', firstSeenMs: 200, exitedMs: 1000 },
    ],
    processes: [{ pid: PID, ppid: 1, name: 'python3', cmdline: 'python3 app.py', firstSeenMs: 0 }],
  };
  const phase = (kind: Phase['kind'], fromMs: number, toMs: number, text: string): Phase => ({ kind, fromMs, toMs, cores: 1, demand: 2, otherCores: 0, threads: 3, tasks: 0, text });
  const phases: Phase[] = [phase('serial', 0, 200, 'one thread read the input'), phase('interleaved', 200, 1000, 'two threads took turns'), phase('waiting', 1000, 1200, 'mostly waiting')];
  const window = (fromMs: number, toMs: number, reason?: WindowVerdict['reason']): WindowVerdict => ({ kind: reason ? 'serial' : 'parallel', text: 'x', fromMs, toMs, parallelism: 1, activeThreads: 2, ...(reason ? { reason } : {}) });
  const gil = { kind: 'gil-or-lock' as const, text: 'GIL or lock contention: 2 threads of pid 100 ready, together 1.00 cores busy' };
  const io = { kind: 'io-wait' as const, text: 'Waiting: all 1 threads asleep (I/O or timers), 0.10 cores busy' };
  const windows = [window(0, 250), window(250, 500, gil), window(500, 750, gil), window(750, 1000, gil), window(1000, 1200, io)];
  const events: WorkloadEvent[] = [{ t: 1150, kind: 'lag', lagMs: 120, pid: PID, tid: PID }];
  const a = attribute(stacks, samples, phases, windows, events);
  return {
    result: {
      runId: 'stacks-1',
      scenario: 'py-threads-cpu',
      params: { rateHz: 50, timeoutS: 60, argv: ['python3', 'app.py'], stacksHz: HZ },
      wallMs: 1200,
      cpu: { userMs: 1000, systemMs: 10, totalMs: 1010 },
      parallelism: 0.84,
      peakConcurrency: null,
      cores: [],
      threads: [],
      processes: 1,
      peakRssBytes: 1,
      spawnLatencyMs: 1,
      noisePct: 0,
      profilerCpuPct: 1,
      lag: null,
      metrics: {},
      verdict: { kind: 'interleaved', text: 'interleaved' },
      windows: a.windows,
      phases: a.phases,
      findings: a.findings,
      exit: { code: 0, signal: null, reason: 'exited' },
      fidelity: { cores: 'proc-stat', threads: true },
      warnings: [],
    },
    samples,
    events,
    stdout: '',
    stderr: '',
    outputTruncated: false,
    stacks,
  };
}
