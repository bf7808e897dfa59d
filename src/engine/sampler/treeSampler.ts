// Follows a workload's process tree as it forks and exits, and reads every thread's CPU time,
// last core, state and context switches from /proc.
//
// Each pass: plan which files to read (passPlan.ts), read the threads (threadReading.ts), find
// new members (treeDiscovery.ts), and add up the tree's CPU so that nothing that exits between
// two samples is lost (processAccounting.ts). The /proc root is an option, so tests drive the
// sampler through a directory of fixture files (test/unit/treeSamplerFakeProc.test.ts).
import { lastPidFromLoadavg } from '../proc/parseLoadavg';
import { parseStatBytes, statComm, tryParseTaskStat } from '../proc/parseTaskStat';
import { ProcFile, readProcOnce } from '../proc/procFile';
import { pageSizeBytes } from '../proc/kernelUnits';
import { looksForChildren, looksForThreads, mainMayHaveForked, PassPlanner, readsChildrenOf, readsProcessStat, type PassPlan } from './passPlan';
import { countKeeper, countProcess, foldExitedThreads, readProcessStat, settleReaped, threadExited } from './processAccounting';
import { ProcPaths } from './procPaths';
import { FIRST_READ, readThread } from './threadReading';
import { TreeDiscovery } from './treeDiscovery';
import { JsSampleSource, type SampleSource, type SampledFile } from './sampleSource';
import { closeThread, endProcess, endThread, liveThreadCount, type TrackedProcess, type TrackedThread, type TreeSample } from './trackedTree';

export type { TrackedProcess, TrackedThread, TreeSample } from './trackedTree';

export interface TreeSamplerOptions {
  maxProcesses?: number;
  maxThreads?: number;
  /** Read context switches and look for new threads/children on every thread each N samples. */
  slowEvery?: number;
  /** Refresh the stat line (core, state, ticks) of threads that ran each N samples (default 5). */
  statEvery?: number;
  /** Force the /proc scan by ppid (what kernels without children files get); for tests. */
  scanByPpid?: boolean;
  /** Where /proc is: a directory of fixture files in tests. Default '/proc'. */
  procRoot?: string;
  /** Who reads the per-sample files: the JavaScript sampler (default) or the native one (nativeSampler.ts). */
  source?: SampleSource;
}

export class TreeSampler {
  private readonly paths: ProcPaths;
  private readonly members: TreeDiscovery;
  private readonly planner: PassPlanner;
  /** Passes so far; the current pass's number during sample(). */
  private pass = 0;
  private readonly pageSize = pageSizeBytes();
  /** Kernels built without CONFIG_PROC_CHILDREN have no children files: scan /proc by ppid instead. */
  private childrenFilesMissing: boolean | null = null;
  private readonly loadavg: SampledFile | null;
  /** The pass in which a thread or process of the tree was last seen ending (a parent then reaps it). */
  private lastExitPass = -Infinity;

  constructor(
    private readonly rootPid: number,
    private readonly rootIsInfrastructure: boolean,
    options: TreeSamplerOptions = {},
  ) {
    this.paths = new ProcPaths(options.procRoot);
    const source = options.source ?? new JsSampleSource();
    this.members = new TreeDiscovery(this.paths, options.maxProcesses ?? 1000, options.maxThreads ?? 4000, source);
    this.planner = new PassPlanner(Math.max(1, options.slowEvery ?? 20), Math.max(1, options.statEvery ?? 5));
    this.loadavg = source.open(this.paths.loadavg(), 'loadavg');
    if (options.scanByPpid) this.childrenFilesMissing = true;
  }

  get processes(): ReadonlyMap<number, TrackedProcess> {
    return this.members.processes;
  }

  /** Every thread ever tracked; a thread's position is its column in the run's sample store. */
  get threads(): readonly TrackedThread[] {
    return this.members.threads;
  }

  get warnings(): readonly string[] {
    return this.members.warnings;
  }

  /** Pids of the tree still alive now, checked against their start time so a reused pid is never taken for ours. */
  livePidsVerified(): number[] {
    const out: number[] = [];
    for (const p of this.processes.values()) {
      const st = tryParseTaskStat(readProcOnce(this.paths.process(p.info.pid, 'stat')));
      if (st && st.starttime === p.starttime && st.state !== 'Z') out.push(p.info.pid);
    }
    return out;
  }

  /** Passes taken so far (the native sampler numbers its passes on from here). */
  get passes(): number {
    return this.pass;
  }

  /**
   * One pass at tMs. `pass`: its number when the native sampler took it (its reads followed the
   * plan of that number); by default the next one.
   */
  sample(tMs: number, pass = this.pass + 1): TreeSample {
    this.pass = pass;
    if (this.processes.size === 0) this.members.addProcess(this.rootPid, this.rootPid, tMs, this.rootIsInfrastructure);
    if (this.childrenFilesMissing === null) {
      const probe = ProcFile.open(this.paths.task(this.rootPid, this.rootPid, 'children'));
      probe?.close();
      this.childrenFilesMissing = probe === null && readProcOnce(this.paths.process(this.rootPid, 'stat')) !== null;
    }
    const plan = this.planner.plan(this.pass, this.readLastPid(), this.lastExitPass, this.childrenFilesMissing);
    if (plan.scanByPpid) this.members.scanForChildren(tMs);
    const out: TreeSample = { treeCpuMs: 0, treeUserTicks: 0, treeSystemTicks: 0, rssBytes: 0, liveProcesses: 0, liveThreads: 0 };
    // New children found this round are sampled in the same round (the loop sees appended entries).
    for (const proc of this.processes.values()) {
      if (!proc.alive) continue;
      if (proc.infrastructure) this.sampleKeeper(proc, tMs, out);
      else this.sampleProcess(proc, plan, tMs, out);
    }
    return out;
  }

  close(): void {
    this.loadavg?.close();
    for (const p of this.processes.values()) {
      p.stat?.close();
      p.mainChildren?.close();
      for (const th of p.threads.values()) closeThread(th);
    }
  }

  private sampleProcess(proc: TrackedProcess, plan: PassPlan, tMs: number, out: TreeSample): void {
    // Threads first: schedstat tells which ran; only then are the process's files worth reading.
    let liveThreadMs = 0;
    let liveThreadTicks = 0;
    let moved = false;
    let gone = false;
    let mainMoved = false;
    for (const th of proc.threads.values()) {
      if (!th.alive) continue;
      const r = readThread(th, plan);
      if (r === 'gone') {
        threadExited(proc, th, tMs);
        gone = true;
        this.lastExitPass = this.pass;
        continue;
      }
      if (r === 'moved') {
        moved = true;
        if (th.info.tid === proc.info.pid) mainMoved = true;
      }
      if (th.renamed) this.members.onRename(proc, th);
      out.liveThreads++;
      liveThreadMs += th.cpuMs;
      liveThreadTicks += th.ticks;
    }
    const first = !proc.sampled;
    if (readsProcessStat(plan, first, gone, moved)) {
      const bytes = readProcessStat(proc);
      if (!bytes) {
        this.processExited(proc, tMs);
        out.treeCpuMs += settleReaped(proc, this.processes, this.rootPid, this.pass);
        return;
      }
      if (!proc.starttime) proc.starttime = proc.nums.starttime;
      proc.sampled = true;
      this.members.onProcessName(proc, statComm(bytes));
      if (looksForThreads(plan, proc.nums.numThreads, liveThreadCount(proc))) {
        // New threads join this pass at once, so the snapshot below includes them.
        const before = this.threads.length;
        this.members.discoverThreads(proc, tMs);
        for (let k = before; k < this.threads.length; k++) {
          const th = this.threads[k];
          if (readThread(th, FIRST_READ) === 'gone') {
            endThread(th, tMs);
            continue;
          }
          out.liveThreads++;
          liveThreadMs += th.cpuMs;
          liveThreadTicks += th.ticks;
        }
      }
      // Thread ticks are current for every thread on these passes.
      if (plan.refresh || first) foldExitedThreads(proc, liveThreadTicks, first);
    }
    const mainForked = mainMayHaveForked(plan, mainMoved, proc.mainMovedBefore);
    proc.mainMovedBefore = mainMoved;
    if (looksForChildren(plan, first, mainForked)) {
      for (const th of proc.threads.values()) {
        if (th.alive && readsChildrenOf(plan, th.info.tid === proc.info.pid, first, mainForked, th.ranSinceSlow)) this.members.discoverChildren(th, proc.info.pid, tMs);
      }
    }
    if (plan.slow) for (const th of proc.threads.values()) th.ranSinceSlow = false;
    countProcess(out, proc, liveThreadMs, this.pageSize, this.pass);
  }

  /** The keeper: its own threads are not the workload's, but its children (and the orphans it adopts) are. */
  private sampleKeeper(proc: TrackedProcess, tMs: number, out: TreeSample): void {
    const bytes = proc.stat?.readBytes();
    if (!bytes || !parseStatBytes(bytes, proc.nums)) {
      this.processExited(proc, tMs);
      return;
    }
    proc.sampled = true;
    this.members.discoverKeeperChildren(proc, tMs);
    countKeeper(out, proc, this.pass);
  }

  private processExited(proc: TrackedProcess, tMs: number): void {
    this.lastExitPass = this.pass;
    endProcess(proc, tMs);
  }

  private readLastPid(): number {
    const bytes = this.loadavg?.readBytes();
    return bytes ? lastPidFromLoadavg(bytes) : -1;
  }
}
