// The renderer bench's engine side: the REAL `serve` (startServer: static files, token, Origin
// check, the WebSocket protocol of src/cli/serve) in front of a stub CoreScopeApi whose runs are
// synthetic live streams. A stub engine is only acceptable here, in a bench whose point is a
// controlled stream; the product's tests use the real engine.
//
// The stream has the shape the real engine sends (src/engine/run/liveBatcher.ts): a batch
// every 100 ms carrying the samples since the last one, the full thread list, the new workload
// events and the newly closed 250 ms verdict windows. The bench drives it: real time (a timer,
// as the engine does) or fast-forward (as many batches as the page keeps up with).
import type { CoreScopeApi, EngineEvent, RunRequest } from '../../src/shared/api';
import type { ScenarioInfo } from '../../src/shared/model';
import type { LiveBatch, RunRecord, SystemInfo, ThreadInfo, ThreadRole, WindowVerdict, WorkloadEvent } from '../../src/shared/types';
import { SCENARIOS } from '../../src/shared/scenarios';
import { startServer, type ServeHandle } from '../../src/cli/serve';

export interface StreamConfig {
  rateHz: number;
  cores: number;
  threads: number;
  /** Threads are spread over this many processes (shown as process groups in the lanes). */
  processes: number;
  /** Workload events (task-start + task-end) per second of run time. */
  eventsPerSec: number;
  /** One batch per this many ms of run time (the engine's LIVE_BATCH_MS). */
  batchMs: number;
}

const WINDOW_MS = 250;

/** Small deterministic PRNG so every bench run streams the same numbers. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticRun {
  readonly runId: string;
  readonly cfg: StreamConfig;
  readonly samplesPerBatch: number;
  /** Next sample index to send. */
  index = 0;
  batchesSent = 0;
  /** Size of the first batch's WebSocket message (JSON text), bytes. */
  batchBytes = 0;
  /** Send time (Date.now()) of each batch, by batch number. */
  readonly sentAt: number[] = [];
  private readonly rand: () => number;
  private readonly threads: ThreadInfo[];
  private cpuMs = 0;
  private nextWindowMs = WINDOW_MS;
  private nextTaskMs = 0;
  private taskSeq = 0;
  private open: { task: string; pid: number; tid: number; endMs: number }[] = [];

  constructor(runId: string, cfg: StreamConfig) {
    this.runId = runId;
    this.cfg = cfg;
    this.samplesPerBatch = Math.max(1, Math.round((cfg.rateHz * cfg.batchMs) / 1000));
    this.rand = mulberry32(0xc0de5c0);
    const roles: ThreadRole[] = ['python-thread', 'libuv-pool', 'worker-thread', 'other'];
    this.threads = [];
    const perProc = Math.ceil(cfg.threads / cfg.processes);
    for (let k = 0; k < cfg.threads; k++) {
      const p = Math.floor(k / perProc);
      const pid = 40_000 + p * 1000;
      const main = k % perProc === 0;
      this.threads.push({
        pid,
        tid: main ? pid : pid + (k % perProc),
        name: main ? `python3` : `worker-${k % perProc}`,
        role: main ? 'main' : roles[k % roles.length],
        firstSeenMs: 0,
      });
    }
  }

  /** Run time of sample i, ms. */
  tOf(i: number): number {
    return (i * 1000) / this.cfg.rateHz;
  }

  /** The next batch, as the engine would send it; advances the run by batchMs. */
  next(): LiveBatch {
    const { cores, rateHz } = this.cfg;
    const n = this.samplesPerBatch;
    const from = this.index;
    const t: number[] = [];
    const coreUser: number[][] = Array.from({ length: cores }, () => []);
    const coreSystem: number[][] = Array.from({ length: cores }, () => []);
    const coreIowait: number[][] = Array.from({ length: cores }, () => []);
    const workloadCores: number[] = [];
    const threadCpu: number[][] = this.threads.map(() => []);
    const threadCore: number[][] = this.threads.map(() => []);
    for (let i = 0; i < n; i++) {
      const idx = from + i;
      const tm = this.tOf(idx);
      t.push(Math.round(tm * 1000) / 1000);
      let busy = 0;
      for (let c = 0; c < cores; c++) {
        const wave = 0.45 + 0.35 * Math.sin(tm / 1500 + c * 0.7);
        const u = Math.min(1, Math.max(0, wave + (this.rand() - 0.5) * 0.2));
        const s = Math.min(1 - u, 0.03 + this.rand() * 0.08);
        const io = Math.min(1 - u - s, this.rand() * 0.01);
        coreUser[c].push(+u.toFixed(4));
        coreSystem[c].push(+s.toFixed(4));
        coreIowait[c].push(+io.toFixed(4));
        busy += u + s;
      }
      let work = 0;
      for (let k = 0; k < this.threads.length; k++) {
        const v = Math.min(1, Math.max(0, 0.5 + 0.5 * Math.sin(tm / 900 + k) + (this.rand() - 0.5) * 0.3));
        threadCpu[k].push(+v.toFixed(4));
        threadCore[k].push((k + Math.floor(tm / 2000)) % cores);
        work += v;
      }
      workloadCores.push(+Math.min(cores, work, busy).toFixed(4));
      this.cpuMs += (work * 1000) / rateHz;
    }
    this.index += n;
    const lastT = this.tOf(this.index - 1);
    const endT = this.tOf(this.index);

    // Workload events: tasks of ~0.8 s on 8 slots, started at eventsPerSec/2 per second.
    const events: WorkloadEvent[] = [];
    const startsPerSec = this.cfg.eventsPerSec / 2;
    if (startsPerSec > 0) {
      for (const o of this.open.filter((x) => x.endMs < endT)) events.push({ t: o.endMs, kind: 'task-end', task: o.task, pid: o.pid, tid: o.tid });
      this.open = this.open.filter((x) => x.endMs >= endT);
      while (this.nextTaskMs < endT) {
        const th = this.threads[this.taskSeq % this.threads.length];
        const task = `task-${this.taskSeq++}`;
        events.push({ t: this.nextTaskMs, kind: 'task-start', task, pid: th.pid, tid: th.tid });
        this.open.push({ task, pid: th.pid, tid: th.tid, endMs: this.nextTaskMs + 800 });
        this.nextTaskMs += 1000 / startsPerSec;
      }
    }

    // The engine delivers events in the order the workload reported them, i.e. in time order.
    events.sort((a, b) => a.t - b.t);

    // Verdict windows closed during this batch (the engine sends each once, when it closes).
    const windows: WindowVerdict[] = [];
    while (this.nextWindowMs <= lastT) {
      const par = +(cores * (0.4 + 0.3 * Math.sin(this.nextWindowMs / 3000))).toFixed(2);
      const active = Math.round(this.threads.length * 0.6);
      windows.push({
        fromMs: this.nextWindowMs - WINDOW_MS,
        toMs: this.nextWindowMs,
        kind: par > 1.3 ? 'parallel' : 'interleaved',
        text: `${par.toFixed(2)} cores busy, ${active} active thread(s)`,
        parallelism: par,
        activeThreads: active,
      });
      this.nextWindowMs += WINDOW_MS;
    }

    const wallMs = endT;
    this.batchesSent++;
    return {
      runId: this.runId,
      fromIndex: from,
      t,
      coreUser,
      coreSystem,
      coreIowait,
      workloadCores,
      threads: this.threads,
      threadCpu,
      threadCore,
      events,
      live: { wallMs, cpuMs: Math.round(this.cpuMs), parallelism: wallMs > 0 ? this.cpuMs / wallMs : 0, tasksInFlight: this.open.length, lastLagMs: null },
      windows,
      phases: [],
    };
  }
}

export interface BenchServer {
  url: string;
  /** The run the page started (after it clicked Run), or null. */
  run(): SyntheticRun | null;
  /** Sends the run's next batch to every connected page; returns its batch number. */
  emitNext(): number;
  /** Real-time streaming: one batch every batchMs by a timer, as the engine does. */
  startRealtime(): void;
  stopRealtime(): void;
  close(): Promise<void>;
}

export async function startBenchServer(rendererDir: string, cfg: StreamConfig): Promise<BenchServer> {
  const listeners = new Set<(e: EngineEvent) => void>();
  const emit = (e: EngineEvent) => {
    for (const l of listeners) l(e);
  };
  let current: SyntheticRun | null = null;
  let runs = 0;
  let timer: NodeJS.Timeout | null = null;

  const info: SystemInfo = {
    hardware: {
      cpu: { brand: 'Synthetic bench CPU', manufacturer: 'bench', physicalCores: cfg.cores, logicalCores: cfg.cores, speedGHz: 3, speedMaxGHz: 3, cacheKiB: { l1d: 32, l1i: 32, l2: 512, l3: 32768 } },
      memoryBytes: 64 * 2 ** 30,
      os: { platform: 'linux', distro: 'bench', release: '0', kernel: '0', arch: 'x64' },
      hostname: 'bench',
    },
    runtimes: [{ kind: 'python', path: '/usr/bin/python3', version: '3.11.2', implementation: 'CPython', gilEnabled: true, freeThreadedBuild: false }],
    corescopeVersion: 'bench',
    nodeVersion: process.versions.node,
  };

  const stopRealtime = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  const engine: CoreScopeApi = {
    info: async () => info,
    listScenarios: async (): Promise<ScenarioInfo[]> => SCENARIOS,
    listProcesses: async () => [],
    startRun: async (request: RunRequest) => {
      if (current) throw Object.assign(new Error('a bench run is already going'), { code: 'bad-input' });
      const runId = `bench-${++runs}`;
      current = new SyntheticRun(runId, cfg);
      setImmediate(() => emit({ type: 'run-started', runId, request, startedAt: new Date().toISOString() }));
      return { runId };
    },
    cancelRun: async () => {
      stopRealtime();
    },
    getRun: async (runId: string): Promise<RunRecord> => {
      throw Object.assign(new Error(`the bench keeps no records (${runId})`), { code: 'not-found' });
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  const server: ServeHandle = await startServer({ engine, host: '127.0.0.1', rendererDir });

  const emitNext = (): number => {
    if (!current) throw new Error('no run started yet');
    const batch = current.next();
    const event: EngineEvent = { type: 'live', batch };
    if (current.batchesSent === 1) current.batchBytes = Buffer.byteLength(JSON.stringify({ event }));
    current.sentAt.push(Date.now());
    emit(event);
    return current.batchesSent;
  };

  return {
    url: server.url,
    run: () => current,
    emitNext,
    startRealtime: () => {
      stopRealtime();
      timer = setInterval(emitNext, cfg.batchMs);
    },
    stopRealtime,
    close: async () => {
      stopRealtime();
      await server.close();
    },
  };
}
