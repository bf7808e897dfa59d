// One profiled run: spawns the workload in its own process tree (under the keeper, in its own
// process group), samples cores and threads at the chosen rate, collects events and output,
// ends the whole tree on exit, cancel or timeout, and computes the results.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { LiveBatch, RunEndReason, RunParams, RunRecord, RunResult } from '../../shared/types';
import { TasksInFlight, averageOver, lagStats, peakConcurrency, reportedMetrics, taskSpan } from '../../shared/metrics';
import { runVerdict } from '../../shared/verdict';
import { CoreSampler, busyTicksBetween, usageBetween, type CoreReading } from '../sampler/coreSampler';
import { TreeSampler } from '../sampler/treeSampler';
import { SampleStore, type ThreadPoint } from '../store/sampleStore';
import { EventChannel } from './eventChannel';
import { OutputCapture } from './outputCapture';
import { LineSplitter } from './lineSplitter';
import { WindowAccumulator, type WindowSampleThread } from './windowAccumulator';
import { registerLiveRun, unregisterLiveRun } from './liveRuns';
import { endTreeNow } from './endTree';
import { TICK_MS } from '../proc/kernelUnits';
import { procOpenFailures } from '../proc/procFile';

export interface RunSpec {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  rateHz: number;
  timeoutS: number;
  params: RunParams;
  scenarioId?: string;
  /** Python interpreter and path of workloads/keeper.py; null runs the workload directly. */
  keeper: { python: string; script: string } | null;
  onLive?: (batch: LiveBatch) => void;
  wantsLive?: () => boolean;
}

interface KeeperReport {
  startedNs?: bigint;
  exitedNs?: bigint;
  code?: number | null;
  signal?: string | null;
  rusage?: { userMs: number; systemMs: number };
  leftovers?: number;
  warnings: string[];
}

const LIVE_BATCH_MS = 100;
const GRACE_MS = 2000;

export class Run {
  readonly id = randomUUID();
  readonly finished: Promise<RunRecord>;
  private resolveFinished!: (r: RunRecord) => void;
  private rejectFinished!: (e: Error) => void;
  private child: ChildProcess | null = null;
  private readonly t0 = process.hrtime.bigint();
  private readonly cores = new CoreSampler();
  private tree: TreeSampler | null = null;
  private readonly store: SampleStore;
  private readonly events = new EventChannel(() => this.now());
  private readonly stdout = new OutputCapture();
  private readonly stderr = new OutputCapture();
  private readonly keeperReport: KeeperReport = { warnings: [] };
  private endReason: RunEndReason | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private liveTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private nextTickMs = 0;
  private lastSampleMs = 0;
  private lastTreeCpuMs = 0;
  /** Each thread's CPU and run-queue time at the previous sample, by store column; NaN before the first. */
  private prevCpuMs: Float64Array = new Float64Array(0);
  private prevQueuedMs: Float64Array = new Float64Array(0);
  private readonly points: ThreadPoint[] = [];
  private readonly forWindows: WindowSampleThread[] = [];
  private readonly windows: WindowAccumulator;
  private liveWindowsFrom = 0;
  private liveFrom = 0;
  private liveEventsFrom = 0;
  /** The live batch's tasks in flight and last event-loop lag, kept up to date batch by batch. */
  private readonly liveTasks = new TasksInFlight();
  private liveLastLagMs: number | null = null;
  private peakRss = 0;
  private startReading: CoreReading;
  private startCpuUsage = process.cpuUsage();
  private childExited = false;
  private exitInfo: { code: number | null; signal: string | null; atMs: number } | null = null;
  private spawnedMs = 0;
  private readonly engineErrors: string[] = [];
  private roleEventsFrom = 0;
  private readonly fdFailuresAtStart = procOpenFailures.noDescriptors;

  constructor(private readonly spec: RunSpec) {
    this.store = new SampleStore(this.cores.coreCount);
    this.windows = new WindowAccumulator(this.cores.coreCount, this.events.events);
    this.startReading = this.cores.read();
    this.finished = new Promise((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // The caller may only care about start(); a failed run must not become an unhandled rejection.
    this.finished.catch(() => undefined);
  }

  now(): number {
    return Number(process.hrtime.bigint() - this.t0) / 1e6;
  }

  /** Spawns the workload; rejects when it cannot be started at all. */
  async start(): Promise<void> {
    const { argv, keeper } = this.spec;
    const env = { ...process.env, ...this.spec.env, CORESCOPE_EVENT_FD: '3' };
    const [cmd, ...args] = keeper ? [keeper.python, '-S', '-I', keeper.script, '4', String(process.pid), '--', ...argv] : argv;
    const stdio: ('ignore' | 'pipe')[] = keeper ? ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'];
    const child = spawn(cmd, args, { cwd: this.spec.cwd, env, stdio, detached: true });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => {
        this.cores.close();
        const error = new Error(`cannot start ${JSON.stringify(cmd)}: ${err.message}`);
        this.rejectFinished(error);
        reject(error);
      });
    });
    this.spawnedMs = this.now();
    registerLiveRun(this.id, () => this.killNowSync());
    this.stdout.attach(child.stdout);
    this.stderr.attach(child.stderr);
    this.events.attach(child.stdio[3] as Readable);
    if (keeper) this.attachKeeperChannel(child.stdio[4] as Readable);
    child.once('exit', (code, signal) => this.onChildExit(code, signal));

    this.tree = new TreeSampler(child.pid!, keeper !== null, {
      // New threads of unchanged count, children of non-main threads, renames: once a second.
      slowEvery: Math.max(1, Math.round(this.spec.rateHz)),
      // Each thread's core and state: four times a second (CPU time itself is read at every sample).
      statEvery: Math.max(1, Math.round(this.spec.rateHz / 4)),
    });
    this.startReading = this.cores.read();
    this.startCpuUsage = process.cpuUsage();
    this.lastSampleMs = this.now();
    this.cores.sample();
    this.sample();
    this.nextTickMs = this.now();
    this.scheduleTick();
    // Nobody watching (the CLI, a sweep): no batches to build, and no timer waking the process for them.
    if (this.spec.onLive) this.liveTimer = setInterval(() => this.emitLive(), LIVE_BATCH_MS);
    this.timeoutTimer = setTimeout(() => this.end('timeout'), this.spec.timeoutS * 1000);
  }

  cancel(): void {
    this.end('cancelled');
  }

  /** Ends the tree; the run finishes once the keeper has reaped everything. */
  end(reason: RunEndReason): void {
    if (this.childExited || this.endReason) return;
    this.endReason = reason;
    // The keeper ends the tree gently (SIGTERM, then SIGKILL) and still reports the CPU it reaped.
    this.signalTree('SIGTERM');
    this.killTimer = setTimeout(() => this.killNowSync(), GRACE_MS);
  }

  /** Last resort, also used on profiler exit: SIGKILL the group and every pid ever seen. */
  killNowSync(): void {
    const pid = this.child?.pid;
    if (!pid) return;
    endTreeNow(pid, this.tree?.livePidsVerified() ?? []);
  }

  private signalTree(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    if (this.spec.keeper) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    } else {
      try {
        process.kill(-pid, signal);
      } catch {
        // group already gone
      }
    }
  }

  private attachKeeperChannel(stream: Readable): void {
    const splitter = new LineSplitter(
      64 * 1024,
      (line) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        const r = this.keeperReport;
        if (msg.ev === 'started') r.startedNs = BigInt(msg.ns as number);
        else if (msg.ev === 'exited') {
          r.exitedNs = BigInt(msg.ns as number);
          r.code = msg.code as number | null;
          r.signal = msg.signal as string | null;
        } else if (msg.ev === 'done') {
          r.rusage = { userMs: (msg.utimeS as number) * 1000, systemMs: (msg.stimeS as number) * 1000 };
          r.leftovers = msg.leftovers as number;
        } else if (msg.ev === 'warning') r.warnings.push(String(msg.text));
      },
      () => undefined,
    );
    stream.on('data', (c: Buffer) => splitter.push(c));
    stream.on('end', () => splitter.end());
  }

  private scheduleTick(): void {
    const period = 1000 / this.spec.rateHz;
    this.nextTickMs += period;
    // Catch up without bursts: if we fell behind by more than a period, resume from now.
    if (this.nextTickMs < this.now()) this.nextTickMs = this.now() + period;
    this.timer = setTimeout(() => {
      if (this.childExited) return;
      try {
        this.sample();
      } catch (err) {
        // A profiler fault must not leave the workload running unobserved: end it, say why.
        this.engineErrors.push(`sampling failed: ${(err as Error).message}`);
        this.end('engine-error');
        return;
      }
      this.scheduleTick();
    }, Math.max(0, this.nextTickMs - this.now()));
  }

  private sample(): void {
    const tree = this.tree;
    if (!tree) return;
    const t = this.now();
    const dt = t - this.lastSampleMs;
    const coreUsage = this.cores.sample();
    const ts = tree.sample(t);
    this.rolesFromEvents(tree);
    this.peakRss = Math.max(this.peakRss, ts.rssBytes);
    const workloadCores = dt > 0 ? Math.max(0, ts.treeCpuMs - this.lastTreeCpuMs) / dt : 0;
    this.lastTreeCpuMs = Math.max(this.lastTreeCpuMs, ts.treeCpuMs);
    // Reused from sample to sample (one slot per tracked thread): a sample allocates nothing in steady state.
    const points = this.points;
    const forWindows = this.forWindows;
    let n = 0;
    for (const th of tree.threads) {
      if (!th.alive) continue;
      const k = th.index;
      if (k >= this.prevCpuMs.length) this.growThreadSlots(k + 1);
      const prev = this.prevCpuMs[k];
      const cpu = Number.isNaN(prev) || dt <= 0 ? 0 : Math.min(1, Math.max(0, th.cpuMs - prev) / dt);
      this.prevCpuMs[k] = th.cpuMs;
      const queuedMs = th.waitNs / 1e6;
      const prevQueued = this.prevQueuedMs[k];
      const queued = Number.isNaN(prevQueued) || dt <= 0 || th.waitNs < 0 ? 0 : Math.min(1, Math.max(0, queuedMs - prevQueued) / dt);
      this.prevQueuedMs[k] = queuedMs;
      if (n === points.length) {
        points.push({ index: 0, cpu: 0, core: -1 });
        forWindows.push({ index: 0, pid: 0, tid: 0, role: 'other', cpu: 0, queued: 0, runnable: false, switches: 0 });
      }
      const p = points[n];
      p.index = k;
      p.cpu = cpu;
      p.core = th.core;
      const w = forWindows[n];
      w.index = k;
      w.pid = th.info.pid;
      w.tid = th.info.tid;
      w.role = th.info.role;
      w.cpu = cpu;
      w.queued = queued;
      w.runnable = th.state === 'R';
      w.switches = th.switches;
      n++;
    }
    points.length = n;
    forWindows.length = n;
    let machineBusy = 0;
    for (const u of coreUsage) machineBusy += u.user + u.system;
    if (dt > 0) this.windows.add(t, dt, workloadCores, machineBusy, forWindows);
    this.store.append(t, coreUsage, workloadCores, points);
    this.lastSampleMs = t;
  }

  /**
   * A non-main thread of a Node process that reports a task of its own runs JavaScript: a
   * worker_thread (Node 20 names none of its threads, so creation order alone cannot tell a
   * worker from libuv's pool).
   */
  private growThreadSlots(min: number): void {
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(Math.max(min, a.length * 2, 64)).fill(Number.NaN);
      b.set(a);
      return b;
    };
    this.prevCpuMs = grow(this.prevCpuMs);
    this.prevQueuedMs = grow(this.prevQueuedMs);
  }

  private rolesFromEvents(tree: TreeSampler): void {
    const events = this.events.events;
    for (; this.roleEventsFrom < events.length; this.roleEventsFrom++) {
      const e = events[this.roleEventsFrom];
      if (e.kind !== 'task-start' || !e.tid || e.tid === e.pid) continue;
      const th = tree.threads.find((x) => x.info.tid === e.tid);
      if (th && (th.info.role === 'libuv-pool' || th.info.role === 'v8-helper')) th.info.role = 'worker-thread';
    }
  }

  private emitLive(final = false): void {
    const onLive = this.spec.onLive;
    if (!onLive || !this.tree) return;
    if (this.spec.wantsLive && !this.spec.wantsLive()) return;
    const to = this.store.length;
    if (to === this.liveFrom && !final) return;
    const threads = this.tree.threads.map((th) => th.info);
    const cols = this.store.toColumns(this.liveFrom, to, threads.length);
    const events = this.events.events.slice(this.liveEventsFrom);
    const wallMs = this.now() - this.spawnedMs;
    const cpuMs = this.lastTreeCpuMs;
    // Only the events new since the last batch: recounting all of them made each batch O(run).
    for (const e of events) {
      this.liveTasks.add(e);
      if (e.kind === 'lag') this.liveLastLagMs = e.lagMs;
    }
    const batch: LiveBatch = {
      runId: this.id,
      fromIndex: this.liveFrom,
      ...cols,
      threads,
      events,
      live: {
        wallMs,
        cpuMs,
        parallelism: wallMs > 0 ? cpuMs / wallMs : 0,
        tasksInFlight: this.liveTasks.size,
        lastLagMs: this.liveLastLagMs,
      },
      windows: this.windows.windows.slice(this.liveWindowsFrom),
    };
    this.liveWindowsFrom = this.windows.windows.length;
    this.liveFrom = to;
    this.liveEventsFrom = this.events.events.length;
    onLive(batch);
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.childExited = true;
    this.exitInfo = { code, signal, atMs: this.now() };
    // Let the pipes drain (events and the keeper's final report arrive just before exit).
    setTimeout(() => this.finish(), 30);
  }

  private finish(): void {
    try {
      if (this.timer) clearTimeout(this.timer);
      if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
      if (this.killTimer) clearTimeout(this.killTimer);
      if (this.liveTimer) clearInterval(this.liveTimer);
      // A workload that left processes behind without the keeper: end them too.
      this.killNowSync();
      unregisterLiveRun(this.id);
      this.sample();
      this.events.end();
      this.windows.close(this.lastSampleMs);
      this.emitLive(true);
      const record = this.buildRecord();
      this.tree?.close();
      this.cores.close();
      this.resolveFinished(record);
    } catch (err) {
      this.rejectFinished(err as Error);
    }
  }

  private buildRecord(): RunRecord {
    const tree = this.tree!;
    const endReading = this.cores.read();
    const k = this.keeperReport;
    const endMs = this.exitInfo?.atMs ?? this.now();
    const startedMs = k.startedNs !== undefined ? Number(k.startedNs - this.t0) / 1e6 : this.spawnedMs;
    const exitedMs = k.exitedNs !== undefined ? Number(k.exitedNs - this.t0) / 1e6 : endMs;
    const wallMs = Math.max(0.001, exitedMs - startedMs);

    // CPU: the keeper's getrusage of everything it reaped is exact; sampling is the fallback.
    const last = tree.sample(endMs);
    const userMs = k.rusage ? k.rusage.userMs : last.treeUserTicks * TICK_MS;
    const systemMs = k.rusage ? k.rusage.systemMs : last.treeSystemTicks * TICK_MS;
    const totalMs = k.rusage ? userMs + systemMs : Math.max(this.lastTreeCpuMs, (last.treeUserTicks + last.treeSystemTicks) * TICK_MS);
    const parallelism = totalMs / wallMs;

    const usage = usageBetween(this.startReading, endReading);
    const busy = busyTicksBetween(this.startReading, endReading);
    const coreCount = this.cores.coreCount;
    const machineCpuMs = busy.busy * TICK_MS;
    const profilerCpu = process.cpuUsage(this.startCpuUsage);
    const profilerMs = (profilerCpu.user + profilerCpu.system) / 1000;
    const spanMs = Math.max(1, endMs);
    const noiseMs = Math.max(0, machineCpuMs - totalMs - profilerMs);

    const events = this.events.events;
    const threads = tree.threads.map((th) => ({ pid: th.info.pid, tid: th.info.tid, name: th.info.name, role: th.info.role, cpuMs: round1(th.cpuMs) }));
    const busyThreads = tree.threads.filter((th) => th.cpuMs > 0.1 * wallMs).length;
    const lag = lagStats(events);
    const span = taskSpan(events);
    const samples = this.store.toRunSamples(this.spec.rateHz, tree.threads.map((th) => th.info), [...tree.processes.values()].filter((p) => !p.infrastructure).map((p) => p.info));
    // Long enough to judge by (a few samples); shorter spans say little beyond the whole run.
    const taskPhase = span && span.toMs - span.fromMs >= Math.max(100, 3000 / this.spec.rateHz)
      ? { fromMs: round1(span.fromMs), toMs: round1(span.toMs), parallelism: round3(averageOver(samples.t, samples.workloadCores, span.fromMs, span.toMs)) }
      : null;
    // Which loop reported the lag, and how busy its thread was: a main thread of a process that sent lag events.
    const lagPids = new Set(events.flatMap((e) => (e.kind === 'lag' && e.pid ? [e.pid] : [])));
    const loopThreads = tree.threads.filter((th) => th.info.tid === th.info.pid && (lagPids.size === 0 || lagPids.has(th.info.pid)));
    // What the loop thread wanted (ran + queued for a core), so a loaded machine does not hide a blocked loop.
    const loopThreadBusy = lag && loopThreads.length ? Math.max(...loopThreads.map((th) => th.cpuMs + Math.max(0, th.waitNs) / 1e6)) / wallMs : undefined;
    const peak = peakConcurrency(events);
    const exitCode = k.code !== undefined ? k.code : this.exitInfo?.code ?? null;
    const exitSignal = k.signal !== undefined ? k.signal : this.exitInfo?.signal ?? null;
    const reason: RunEndReason = this.endReason ?? 'exited';

    const warnings = [...this.engineErrors, ...k.warnings, ...this.events.warnings(), ...tree.warnings];
    const fdFailures = procOpenFailures.noDescriptors - this.fdFailuresAtStart;
    if (fdFailures > 0) warnings.push(`The profiler ran out of file descriptors (${fdFailures} /proc file(s) could not be opened): some threads or processes were not tracked; their CPU still counts in their process's total. Raise the open-files limit (ulimit -n) to track them all.`);
    if (k.leftovers) warnings.push(`${k.leftovers} process(es) of the workload were still running when it ended; CoreScope ended them.`);
    if (this.stdout.truncated) warnings.push(`stdout truncated: ${this.stdout.droppedBytes} bytes beyond the capture cap were dropped.`);
    if (this.stderr.truncated) warnings.push(`stderr truncated: ${this.stderr.droppedBytes} bytes beyond the capture cap were dropped.`);
    if (!this.spec.keeper) warnings.push('No Python interpreter for the keeper: the run was launched directly, so orphans that leave its process group may escape and exited children are counted from samples.');

    const result: RunResult = {
      runId: this.id,
      scenario: this.spec.scenarioId,
      params: this.spec.params,
      wallMs: round1(wallMs),
      cpu: { userMs: round1(userMs), systemMs: round1(systemMs), totalMs: round1(totalMs) },
      parallelism: round3(parallelism),
      peakConcurrency: peak,
      taskPhase,
      cores: usage.map((u, id) => ({
        id,
        busyPct: round1((u.user + u.system) * 100),
        userPct: round1(u.user * 100),
        systemPct: round1(u.system * 100),
        iowaitPct: round1(u.iowait * 100),
      })),
      threads,
      processes: tree.processes.size - (this.spec.keeper ? 1 : 0),
      peakRssBytes: this.peakRss,
      spawnLatencyMs: round1(startedMs),
      noisePct: round1((noiseMs / (spanMs * coreCount)) * 100),
      profilerCpuPct: round1((profilerMs / spanMs) * 100),
      lag,
      metrics: reportedMetrics(events),
      verdict: runVerdict({ parallelism, wallMs, coreCount, lag, busyThreads, peakConcurrency: peak, otherLoadCores: noiseMs / spanMs, loopThreadBusy, taskParallelism: taskPhase?.parallelism }),
      windows: this.windows.windows,
      exit: { code: exitCode, signal: exitSignal, reason },
      fidelity: {
        cores: this.cores.fidelity,
        threads: process.platform === 'linux',
        note: this.cores.fidelity === 'proc-stat' ? undefined : 'Per-core figures come from os.cpus() (no iowait, coarse timing); thread data needs Linux /proc.',
      },
      warnings,
    };
    return {
      result,
      samples,
      events,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      outputTruncated: this.stdout.truncated || this.stderr.truncated,
    };
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
