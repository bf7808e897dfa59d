// One profiled run, orchestrated: spawns the workload (workloadProcess.ts, under the keeper,
// whose report keeperReport.ts reads), samples cores and threads at the chosen rate (thread
// rates in threadRates.ts), collects events and output, sends live batches to a watcher
// (liveBatcher.ts), ends the whole tree on exit, cancel or timeout, and hands what it recorded
// to the result builder (runResult.ts).
import { randomUUID } from 'node:crypto';
import type { LiveBatch, RunEndReason, RunParams, RunRecord } from '../../shared/types';
import { CoreSampler, type CoreReading } from '../sampler/coreSampler';
import { TreeSampler } from '../sampler/treeSampler';
import { openSampleSource } from '../sampler/sampleSource';
import type { NativeSampleSource } from '../sampler/nativeSampler';
import { withSamplerNote } from '../sampler/samplerNote';
import { SampleStore } from '../store/sampleStore';
import { EventChannel } from './eventChannel';
import { OutputCapture } from './outputCapture';
import { LivePhases } from './livePhases';
import { WindowAccumulator, type WorkloadLife } from './windowAccumulator';
import { registerLiveRun, unregisterLiveRun } from './liveRuns';
import { endTreeNow } from './endTree';
import { procOpenFailures } from '../proc/procFile';
import { KeeperReport } from './keeperReport';
import { LiveBatcher } from './liveBatcher';
import { buildRunResult } from './runResult';
import { ThreadRates } from './threadRates';
import { WorkloadProcess, type WorkloadLaunch } from './workloadProcess';
import type { WorkloadHandle } from './workloadHandle';
import { AttachedProcess } from '../attach/attachedProcess';
import { CpuBeforeWatching } from './cpuBeforeWatching';
import type { AttachTarget } from '../attach/attachTarget';
import { StackProbes } from '../stacks/stackProbes';
import { attribute } from '../../shared/attribution';
import { round3 } from '../../shared/metrics';

export interface RunSpec extends WorkloadLaunch {
  rateHz: number;
  timeoutS: number;
  params: RunParams;
  scenarioId?: string;
  onLive?: (batch: LiveBatch) => void;
  wantsLive?: () => boolean;
  /** Attach to this running program instead of launching `argv`: it is followed, never signalled. */
  attach?: AttachTarget;
  /** Stack probes put into the launched program (stackProbes.ts); absent or rate 0: none. */
  stacks?: { rateHz: number; workloadsDir: string };
}

const LIVE_BATCH_MS = 100;
/**
 * How often the native sampler's records are replayed when nobody watches the run live (the CLI
 * without its progress line, a sweep, the bench). Each wake-up of Node costs CPU whatever it does,
 * and waiting loses nothing: the native thread wakes JavaScript at once after any pass in which
 * the tree may have changed (nativeSampler.ts: onTreeChange), and between those the records hold
 * every reading a replay needs.
 */
const UNWATCHED_DRAIN_MS = 1000;
const GRACE_MS = 2000;

export class Run {
  readonly id = randomUUID();
  readonly finished: Promise<RunRecord>;
  private resolveFinished!: (r: RunRecord) => void;
  private rejectFinished!: (e: Error) => void;
  private workload: WorkloadHandle | null = null;
  private readonly t0 = process.hrtime.bigint();
  /** Who reads /proc per sample: the native sampler where it loaded, else the JavaScript one. */
  private readonly source = openSampleSource();
  private readonly cores = new CoreSampler(this.source.open('/proc/stat', 'cpu-stat'));
  private tree: TreeSampler | null = null;
  private readonly store: SampleStore;
  private readonly events = new EventChannel(() => this.now());
  private readonly stdout = new OutputCapture();
  private readonly stderr = new OutputCapture();
  private readonly keeperReport = new KeeperReport();
  private readonly rates = new ThreadRates();
  private readonly live: LiveBatcher;
  private readonly windows: WindowAccumulator;
  private readonly livePhases: LivePhases;
  private endReason: RunEndReason | null = null;
  /** finish() has begun: the native sampler's last samples are being taken in. */
  private finishing = false;
  private timer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private liveTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private nextTickMs = 0;
  private lastSampleMs = 0;
  /** The highest whole-tree CPU seen so far (since watching began), in ms: the workload's CPU rate is its growth. */
  private lastTreeCpuMs = 0;
  /** An attached program's CPU before the run's first reading: not the run's (zero for a launch). */
  private readonly cpuBefore = new CpuBeforeWatching();
  private peakRss = 0;
  private startReading: CoreReading;
  private startCpuUsage = process.cpuUsage();
  private childExited = false;
  private exitInfo: { code: number | null; signal: string | null; atMs: number } | null = null;
  private spawnedMs = 0;
  private readonly engineErrors: string[] = [];
  private roleEventsFrom = 0;
  private probes: StackProbes | null = null;
  private readonly fdFailuresAtStart = procOpenFailures.noDescriptors;

  constructor(private readonly spec: RunSpec) {
    this.store = new SampleStore(this.cores.coreCount);
    this.windows = new WindowAccumulator(this.cores.coreCount, this.events.events, undefined, undefined, () => this.workloadLife());
    this.livePhases = new LivePhases(this.windows.bins, this.events.events);
    this.live = new LiveBatcher(this.id);
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
    let workload: WorkloadHandle;
    try {
      workload = this.spec.attach ? new AttachedProcess(this.spec.attach) : new WorkloadProcess(this.withProbes(this.spec));
      this.workload = workload;
      await workload.spawned;
    } catch (err) {
      this.probes?.dispose();
      this.cores.close();
      this.source.close();
      this.rejectFinished(err as Error);
      throw err;
    }
    this.spawnedMs = this.now();
    registerLiveRun(this.id, () => this.killNowSync());
    if (workload.stdout) this.stdout.attach(workload.stdout);
    if (workload.stderr) this.stderr.attach(workload.stderr);
    if (workload.events) this.events.attach(workload.events);
    const keeperPipe = workload.keeperPipe;
    if (keeperPipe) this.keeperReport.attach(keeperPipe);
    workload.onExit((code, signal) => this.onChildExit(code, signal));

    // New threads of unchanged count, children of non-main threads, renames: once a second.
    const slowEvery = Math.max(1, Math.round(this.spec.rateHz));
    // Each thread's core and state: four times a second (CPU time itself is read at every sample).
    const statEvery = Math.max(1, Math.round(this.spec.rateHz / 4));
    this.tree = new TreeSampler(workload.pid!, workload.viaKeeper, { slowEvery, statEvery, source: this.source });
    this.startReading = this.cores.read();
    this.startCpuUsage = process.cpuUsage();
    this.lastSampleMs = this.now();
    this.cores.sample();
    this.sample();
    this.nextTickMs = this.now();
    const native = this.nativeSource();
    if (native?.start({ rateHz: this.spec.rateHz, slowEvery, statEvery, firstPass: this.tree.passes + 1, onTreeChange: () => this.drainNative() })) {
      // The native thread samples on its own schedule; JavaScript wakes only at the live-batch
      // rate, to replay what it took (and send the batch, in the same wake-up), or less often
      // when nobody watches.
      this.scheduleDrain();
    } else {
      this.scheduleTick();
      // Nobody watching (the CLI, a sweep): no batches to build, and no timer waking the process for them.
      if (this.spec.onLive) this.liveTimer = setInterval(() => this.emitLive(), LIVE_BATCH_MS);
    }
    this.timeoutTimer = setTimeout(() => this.end('timeout'), this.spec.timeoutS * 1000);
  }

  cancel(): void {
    this.end('cancelled');
  }

  /** Someone started watching: the next batch comes now, not at the end of an unwatched drain period. */
  watchersChanged(): void {
    // Only the native sampler's drain has an unwatched period; the JavaScript one samples on its own timer.
    if (this.nativeSource()?.measuredBy() !== 'native' || this.finishing || !this.watched()) return;
    this.scheduleDrain(0);
  }

  private watched(): boolean {
    return !!this.spec.onLive && (!this.spec.wantsLive || this.spec.wantsLive());
  }

  private scheduleDrain(delayMs = this.watched() ? LIVE_BATCH_MS : UNWATCHED_DRAIN_MS): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(() => {
      this.liveTimer = null;
      if (this.finishing) return;
      this.drainNative();
      this.emitLive();
      this.scheduleDrain();
    }, delayMs);
  }

  /** The launch with the stack probes' environment added (a launched run only: an attached program is never touched). */
  private withProbes(launch: WorkloadLaunch): WorkloadLaunch {
    const stacks = this.spec.stacks;
    if (!stacks || stacks.rateHz <= 0) return launch;
    this.probes = StackProbes.open(stacks.rateHz, stacks.workloadsDir);
    if (!this.probes) return launch;
    const inherited: Record<string, string | undefined> = { ...process.env, ...launch.env };
    return { ...launch, env: { ...launch.env, ...this.probes.env(inherited) } };
  }

  /** Ends the tree; the run finishes once the keeper has reaped everything. */
  end(reason: RunEndReason): void {
    if (this.childExited || this.endReason) return;
    this.endReason = reason;
    if (this.workload && !this.workload.owned) {
      // Attached: stop watching; the program runs on, untouched.
      this.workload.close();
      this.onChildExit(null, null);
      return;
    }
    // The keeper ends the tree gently (SIGTERM, then SIGKILL) and still reports the CPU it reaped.
    this.workload?.signalTree('SIGTERM');
    this.killTimer = setTimeout(() => this.killNowSync(), GRACE_MS);
  }

  /** Last resort, also used on profiler exit: SIGKILL the group and every pid ever seen. */
  killNowSync(): void {
    // Never an attached program, whatever ends the run (a stop, the profiler exiting).
    if (!this.workload?.owned) return;
    const pid = this.workload.pid;
    if (!pid) return;
    endTreeNow(pid, this.tree?.livePidsVerified() ?? []);
  }

  private scheduleTick(): void {
    const period = 1000 / this.spec.rateHz;
    this.nextTickMs += period;
    // Catch up without bursts: if we fell behind by more than a period, resume from now.
    if (this.nextTickMs < this.now()) this.nextTickMs = this.now() + period;
    this.timer = setTimeout(() => {
      if (this.childExited) return;
      this.source.jitter.add(this.now() - this.nextTickMs);
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

  /** One sample: now, or one the native sampler took at `at` (ms since t0) as its pass `pass`. */
  private sample(at?: number, pass?: number): void {
    const tree = this.tree;
    if (!tree) return;
    const t = at ?? this.now();
    const dt = t - this.lastSampleMs;
    const coreUsage = this.cores.sample();
    const ts = tree.sample(t, pass);
    if (this.spec.attach) this.cpuBefore.take(ts, tree.threads);
    this.rolesFromEvents(tree);
    this.peakRss = Math.max(this.peakRss, ts.rssBytes);
    const treeCpuMs = this.cpuBefore.treeCpuSince(ts.treeCpuMs);
    const workloadCores = dt > 0 ? Math.max(0, treeCpuMs - this.lastTreeCpuMs) / dt : 0;
    this.lastTreeCpuMs = Math.max(this.lastTreeCpuMs, treeCpuMs);
    this.rates.update(tree.threads, dt);
    if (dt > 0) this.windows.add(t, dt, workloadCores, coreUsage, this.rates.forWindows);
    this.store.append(t, coreUsage, workloadCores, this.rates.points);
    this.lastSampleMs = t;
  }

  /**
   * When the workload lived (ms since t0), as far as is known: from the keeper's start of it to the
   * keeper's own exit, once it had ended and reaped the whole tree — not the main process's exit,
   * after which the keeper still ends what it left running (those are the workload's too).
   */
  private workloadLife(): WorkloadLife {
    const started = this.keeperReport.startedNs;
    return { fromMs: started === undefined ? undefined : Number(started - this.t0) / 1e6, toMs: this.exitInfo?.atMs };
  }

  private nativeSource(): NativeSampleSource | null {
    return this.source.kind === 'native' ? (this.source as NativeSampleSource) : null;
  }

  /** Replays the native sampler's samples since the last drain through sample(), in order. */
  private drainNative(): void {
    const native = this.nativeSource();
    // After finish() took the last samples, a wake-up still queued has nothing to add.
    if (!native || this.endReason === 'engine-error' || this.finishing) return;
    try {
      native.replay(this.t0, (tMs, pass) => this.sample(tMs, pass));
    } catch (err) {
      // As on the timer: a profiler fault must not leave the workload running unobserved.
      this.engineErrors.push(`sampling failed: ${(err as Error).message}`);
      this.end('engine-error');
    }
  }

  /**
   * A non-main thread of a Node process that reports a task of its own runs JavaScript: a
   * worker_thread (Node 20 names none of its threads, so creation order alone cannot tell a
   * worker from libuv's pool).
   */
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
    const tree = this.tree;
    if (!onLive || !tree) return;
    if (this.spec.wantsLive && !this.spec.wantsLive()) return;
    const batch = this.live.next(
      {
        store: this.store,
        threads: () => tree.threads.map((th) => th.info),
        events: this.events.events,
        windows: this.windows.windows,
        phases: (final) => this.livePhases.current(final),
        wallMs: this.now() - this.spawnedMs,
        cpuMs: this.lastTreeCpuMs,
      },
      final,
    );
    if (batch) onLive(batch);
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.childExited = true;
    this.exitInfo = { code, signal, atMs: this.now() };
    // Let the pipes drain (events and the keeper's final report arrive just before exit).
    setTimeout(() => this.finish(), 30);
  }

  private finish(): void {
    this.finishing = true;
    try {
      if (this.timer) clearTimeout(this.timer);
      if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
      if (this.killTimer) clearTimeout(this.killTimer);
      if (this.liveTimer) clearTimeout(this.liveTimer);
      // A workload that left processes behind without the keeper: end them too.
      this.killNowSync();
      unregisterLiveRun(this.id);
      // The native thread's last samples, then one more now (as the JavaScript sampler ends).
      this.nativeSource()?.stop();
      this.nativeSource()?.replay(this.t0, (tMs, pass) => this.sample(tMs, pass));
      this.sample();
      this.events.end();
      this.windows.close(this.lastSampleMs);
      this.emitLive(true);
      const record = this.buildRecord();
      // The source first: the native one closes every file it follows in one call.
      this.source.close();
      this.tree?.close();
      this.cores.close();
      this.resolveFinished(record);
    } catch (err) {
      this.rejectFinished(err as Error);
    }
  }

  /** Gathers what was recorded (reading the counters one last time) for the result builder. */
  private buildRecord(): RunRecord {
    const tree = this.tree!;
    const coresAtEnd = this.cores.read();
    const k = this.keeperReport;
    const endMs = this.exitInfo?.atMs ?? this.now();
    const sinceStartMs = (ns: bigint | undefined): number | undefined => (ns !== undefined ? Number(ns - this.t0) / 1e6 : undefined);
    const last = tree.sample(endMs);
    const profilerCpu = process.cpuUsage(this.startCpuUsage);
    const samples = this.store.toRunSamples(this.spec.rateHz, tree.threads.map((th) => th.info), [...tree.processes.values()].filter((p) => !p.infrastructure).map((p) => p.info));
    const result = buildRunResult({
      runId: this.id,
      scenarioId: this.spec.scenarioId,
      params: this.spec.params,
      rateHz: this.spec.rateHz,
      viaKeeper: this.workload!.viaKeeper,
      attached: this.spec.attach ? { pid: this.spec.attach.pid, name: this.spec.attach.name } : undefined,
      spawnedMs: this.spawnedMs,
      endMs,
      keeper: {
        startedMs: sinceStartMs(k.startedNs),
        exitedMs: sinceStartMs(k.exitedNs),
        code: k.code,
        signal: k.signal,
        rusage: k.rusage,
        leftovers: k.leftovers,
        warnings: k.warnings,
      },
      exit: this.exitInfo,
      endReason: this.endReason,
      threads: tree.threads.map((th) => ({ info: th.info, cpuMs: this.cpuBefore.threadCpuSince(th), waitNs: th.waitNs })),
      trackedProcesses: tree.processes.size,
      treeUserTicks: this.cpuBefore.userTicksSince(last.treeUserTicks),
      treeSystemTicks: this.cpuBefore.systemTicksSince(last.treeSystemTicks),
      peakTreeCpuMs: this.lastTreeCpuMs,
      peakRssBytes: this.peakRss,
      treeWarnings: tree.warnings,
      coresAtStart: this.startReading,
      coresAtEnd,
      coreCount: this.cores.coreCount,
      coreFidelity: this.cores.fidelity,
      profilerMs: (profilerCpu.user + profilerCpu.system) / 1000,
      events: this.events.events,
      eventWarnings: this.events.warnings(),
      samples,
      windows: this.windows.windows,
      bins: this.windows.bins,
      engineErrors: this.engineErrors,
      fdFailures: procOpenFailures.noDescriptors - this.fdFailuresAtStart,
      stdoutDroppedBytes: this.stdout.droppedBytes,
      stderrDroppedBytes: this.stderr.droppedBytes,
    });
    const stacks = this.collectStacks(samples, result);
    // Which sampler measured and how steadily (a sentence, until the session schema has fields for it).
    result.fidelity.note = withSamplerNote(result.fidelity.note, this.source.note());
    result.fidelity.sampler = this.source.measuredBy();
    const jitter = this.source.jitter.summary();
    if (jitter) result.fidelity.jitterMs = { samples: jitter.samples, p50: round3(jitter.p50Ms), p99: round3(jitter.p99Ms), max: round3(jitter.maxMs) };
    return {
      result,
      samples,
      events: this.events.events,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      outputTruncated: this.stdout.truncated || this.stderr.truncated,
      ...(stacks ? { stacks } : {}),
    };
  }

  /** Reads the stack probes' files and names the code behind the phases, flagged windows and late heartbeats. */
  private collectStacks(samples: RunRecord['samples'], result: RunRecord['result']): RunRecord['stacks'] {
    const probes = this.probes;
    if (!probes) return undefined;
    this.probes = null;
    try {
      const stacks = probes.collect(this.t0, samples);
      if (!stacks) {
        const probed = samples.processes.filter((p) => /^(python|node)/.test(p.name));
        if (probed.length) result.warnings.push(`No stack samples from ${probed.map((p) => `pid ${p.pid} (${p.name})`).slice(0, 5).join(', ')}: the probe did not load (python -I or -E ignores PYTHONPATH; a program that replaced NODE_OPTIONS).`);
        return undefined;
      }
      for (const src of stacks.sources) if (src.note) result.warnings.push(`Stack samples, pid ${src.pid} (${src.runtime}): ${src.note}`);
      const probeMs = stacks.sources.reduce((a, src) => a + (src.probeCpuMs ?? 0), 0);
      if (stacks.sources.some((src) => src.probeCpuMs !== undefined)) result.fidelity.stackProbeCpuMs = Math.round(probeMs * 10) / 10;
      const a = attribute(stacks, samples, result.phases ?? [], result.windows, this.events.events);
      if (result.phases) result.phases = a.phases;
      result.windows = a.windows;
      result.findings = a.findings;
      return stacks;
    } catch (err) {
      result.warnings.push(`Stack samples could not be read: ${(err as Error).message}`);
      return undefined;
    }
  }
}

