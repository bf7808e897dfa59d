// Follows a workload's process tree as it forks and exits, and reads every thread's CPU time,
// last core, state and context switches from /proc.
//
// Whole-tree CPU is counted so that nothing that exits between two samples is lost: a live
// process contributes its own threads plus what its reaped children used (cutime/cstime); when a
// child is reaped its total moves into its parent's cutime, so the sum stays whole.
import { readdirSync } from 'node:fs';
import type { ProcessInfo, ThreadInfo, ThreadState } from '../../shared/types';
import { classifyThreadRole } from '../../shared/threadRoles';
import { parseChildren } from '../proc/parseChildren';
import { lastPidFromLoadavg } from '../proc/parseLoadavg';
import { newStatNumbers, parseSchedstatBytes, parseStatBytes, statComm, type StatNumbers } from '../proc/parseBytes';
import { parseTaskStat, type TaskStat } from '../proc/parseTaskStat';
import { ProcFile, readProcOnce } from '../proc/procFile';
import { pageSizeBytes, TICK_MS } from '../proc/kernelUnits';

export interface TrackedThread {
  info: ThreadInfo;
  /** Column of this thread in the run's sample store. */
  index: number;
  stat: ProcFile | null;
  sched: ProcFile | null;
  children: ProcFile | null;
  alive: boolean;
  cpuMs: number;
  ticks: number;
  core: number;
  state: ThreadState;
  /**
   * Times the thread was switched onto a core (schedstat's third field): every switch in follows a
   * switch out, voluntary (blocking on a lock, the GIL, I/O) or not, so this counts its context switches.
   */
  switches: number;
  /** Set when the kernel name changed since the last sample (exec, or a thread naming itself). */
  renamed: boolean;
  /** schedstat's run and run-queue wait times at the last sample: unchanged means the thread slept. */
  runNs: number;
  waitNs: number;
  /** Ran since the last slow pass: only such a thread can have forked or switched context since. */
  ranSinceSlow: boolean;
  /**
   * Ran since its stat line (ticks) was last read. A refresh pass reads every such thread, not
   * only those that ran in the last interval: a thread that ran earlier and then slept kept old
   * ticks, its process's exited-threads figure (process ticks − live threads' ticks) took the
   * difference as CPU of exited threads, and the workload total jumped up, then back down.
   */
  ticksStale: boolean;
}

interface TrackedProcess {
  info: ProcessInfo;
  stat: ProcFile | null;
  threads: Map<number, TrackedThread>;
  alive: boolean;
  /** The keeper (our launcher): its reaped children count, its own threads do not. */
  infrastructure: boolean;
  /** The latest figures of the process's stat line (reused: no allocation per sample). */
  nums: StatNumbers;
  sampled: boolean;
  /** CPU of threads that exited, from the last consistent stat snapshot, in ms. */
  exitedThreadsMs: number;
  /** CPU of threads seen exiting since that snapshot. */
  pendingExitedMs: number;
  /** The pass (sample number) whose total last included this process. */
  countedInPass: number;
  /** pid + starttime identify a process even if its pid is reused. */
  starttime: number;
  parent?: { name: string; cmdline: string };
  nonMainThreads: number;
  /** Children of the main thread; kept open only for the keeper, whose threads are not sampled. */
  mainChildren: ProcFile | null;
  /** The main thread ran in the previous sample (a fork just after that read shows up now). */
  mainMovedBefore: boolean;
}

export interface TreeSample {
  /** Cumulative CPU of the whole tree, alive and exited, in ms. */
  treeCpuMs: number;
  treeUserTicks: number;
  treeSystemTicks: number;
  rssBytes: number;
  liveProcesses: number;
  liveThreads: number;
}

export interface TreeSamplerOptions {
  maxProcesses?: number;
  maxThreads?: number;
  /** Read context switches and look for new threads/children on every thread each N samples. */
  slowEvery?: number;
  /** Refresh the stat line (core, state, ticks) of threads that ran each N samples (default 5). */
  statEvery?: number;
  /** Force the /proc scan by ppid (what kernels without children files get); for tests. */
  scanByPpid?: boolean;
}

export class TreeSampler {
  readonly processes = new Map<number, TrackedProcess>();
  readonly threads: TrackedThread[] = [];
  readonly warnings: string[] = [];
  private sampleCount = 0;
  private readonly maxProcesses: number;
  private readonly maxThreads: number;
  private readonly slowEvery: number;
  private readonly statEvery: number;
  private cappedProcesses = false;
  private cappedThreads = false;
  private readonly pageSize = pageSizeBytes();
  private readonly statScratch = newStatNumbers();
  private readonly schedScratch = { runNs: 0, waitNs: 0, timeslices: 0 };
  /** Kernels built without CONFIG_PROC_CHILDREN have no children files: scan /proc by ppid instead. */
  private childrenFilesMissing: boolean | null = null;
  private readonly loadavg = ProcFile.open('/proc/loadavg');
  /** The newest pid on the machine at the previous sample and at the previous slow pass (-2: not yet read). */
  private lastPid = -2;
  private lastPidAtSlow = -2;
  /** Sample count when a thread or process of the tree was last seen ending (a parent then reaps it). */
  private lastExitSample = -Infinity;

  constructor(
    private readonly rootPid: number,
    private readonly rootIsInfrastructure: boolean,
    options: TreeSamplerOptions = {},
  ) {
    this.maxProcesses = options.maxProcesses ?? 1000;
    this.maxThreads = options.maxThreads ?? 4000;
    this.slowEvery = Math.max(1, options.slowEvery ?? 20);
    this.statEvery = Math.max(1, options.statEvery ?? 5);
    if (options.scanByPpid) this.childrenFilesMissing = true;
  }

  /** Pids of the tree still alive now, checked against their start time so a reused pid is never taken for ours. */
  livePidsVerified(): number[] {
    const out: number[] = [];
    for (const p of this.processes.values()) {
      const text = readProcOnce(`/proc/${p.info.pid}/stat`);
      const st = text ? safeParse(text) : null;
      if (st && st.starttime === p.starttime && st.state !== 'Z') out.push(p.info.pid);
    }
    return out;
  }

  sample(tMs: number): TreeSample {
    const slow = this.sampleCount % this.slowEvery === 0;
    const refresh = slow || this.sampleCount % this.statEvery === 0;
    this.sampleCount++;
    if (this.processes.size === 0) this.addProcess(this.rootPid, this.rootPid, tMs, this.rootIsInfrastructure);

    if (this.childrenFilesMissing === null) {
      this.childrenFilesMissing = ProcFile.open(`/proc/${this.rootPid}/task/${this.rootPid}/children`) === null && readProcOnce(`/proc/${this.rootPid}/stat`) !== null;
    }
    // Nothing new anywhere since the last look (no pid taken): no new process or thread to look for.
    const pidNow = this.readLastPid();
    const created = pidNow < 0 || pidNow !== this.lastPid;
    const createdSinceSlow = pidNow < 0 || pidNow !== this.lastPidAtSlow;
    this.lastPid = pidNow;
    if (slow) this.lastPidAtSlow = pidNow;
    const exitedLately = this.sampleCount - this.lastExitSample <= this.statEvery;
    if (this.childrenFilesMissing && (created || slow)) this.scanForChildren(tMs);
    const out: TreeSample = { treeCpuMs: 0, treeUserTicks: 0, treeSystemTicks: 0, rssBytes: 0, liveProcesses: 0, liveThreads: 0 };
    // New children found this round are sampled in the same round (the loop sees appended entries).
    for (const proc of this.processes.values()) {
      if (!proc.alive) continue;
      if (proc.infrastructure) {
        this.sampleKeeper(proc, tMs, out);
        continue;
      }
      // Threads first: schedstat tells which ran; only then are the process's files worth reading.
      let liveThreadMs = 0;
      let liveThreadTicks = 0;
      let moved = false;
      let gone = false;
      let mainMoved = false;
      for (const th of proc.threads.values()) {
        if (!th.alive) continue;
        const r = this.sampleThread(th, refresh, slow);
        if (r === 'gone') {
          th.alive = false;
          th.info.exitedMs = tMs;
          // Counted until the next stat refresh folds it into the process's exited-threads figure.
          proc.pendingExitedMs += th.cpuMs;
          closeThread(th);
          gone = true;
          this.lastExitSample = this.sampleCount;
          continue;
        }
        if (r === 'moved') {
          moved = true;
          if (th.info.tid === proc.info.pid) mainMoved = true;
        }
        if (th.renamed) this.onRename(proc, th);
        out.liveThreads++;
        liveThreadMs += th.cpuMs;
        liveThreadTicks += th.ticks;
      }
      const first = !proc.sampled;
      const st = proc.nums;
      // Reaping a child or starting a thread needs one of its threads to run, and takes a pid or
      // follows an exit; otherwise the stat line (reaped children's CPU, thread count, RSS) waits
      // for the next refresh.
      if (first || refresh || gone || (moved && (created || exitedLately))) {
        const bytes = this.readStat(proc);
        if (!bytes) {
          this.markProcessExited(proc, tMs);
          out.treeCpuMs += this.settleReaped(proc);
          continue;
        }
        if (!proc.starttime) proc.starttime = st.starttime;
        proc.sampled = true;
        // An exec (a shim or shell handing over to the real program) renames the process at once.
        const comm = statComm(bytes);
        if (comm !== proc.info.name) {
          const main = proc.threads.get(proc.info.pid);
          if (main) {
            main.info.name = comm;
            this.onRename(proc, main);
          } else proc.info.name = comm;
        }
        if ((slow && createdSinceSlow) || st.numThreads !== this.liveThreadCount(proc)) {
          // New threads join this pass at once, so the snapshot below includes them.
          const before = this.threads.length;
          this.discoverThreads(proc, tMs);
          for (let k = before; k < this.threads.length; k++) {
            const th = this.threads[k];
            if (this.sampleThread(th, true, false) === 'gone') {
              th.alive = false;
              th.info.exitedMs = tMs;
              closeThread(th);
              continue;
            }
            out.liveThreads++;
            liveThreadMs += th.cpuMs;
            liveThreadTicks += th.ticks;
          }
        }
        if (refresh || first) {
          // Thread ticks are current for every thread on these passes: a consistent snapshot —
          // up to a tick or two, as the process's and its threads' counts are read microseconds
          // apart and each is rounded to 10 ms ticks. So the figure moves when a thread exited
          // or when it is off by more than that, not with that noise (±0.2–0.4 of a core in a
          // 50 ms sample).
          const snapshot = Math.max(0, (st.utime + st.stime - liveThreadTicks) * TICK_MS);
          if (first || proc.pendingExitedMs > 0 || Math.abs(snapshot - proc.exitedThreadsMs) > 2 * TICK_MS) proc.exitedThreadsMs = snapshot;
          proc.pendingExitedMs = 0;
        }
      }
      // A fork takes a pid and needs its thread to run, now or (just after the previous read) then.
      const mainMayHaveForked = (mainMoved || proc.mainMovedBefore) && created;
      proc.mainMovedBefore = mainMoved;
      if (first || mainMayHaveForked || (slow && createdSinceSlow)) {
        for (const th of proc.threads.values()) {
          if (!th.alive) continue;
          const isMain = th.info.tid === proc.info.pid;
          if (isMain ? first || mainMayHaveForked || th.ranSinceSlow : slow && th.ranSinceSlow) this.discoverChildren(th, proc.info.pid, tMs);
        }
      }
      if (slow) for (const th of proc.threads.values()) th.ranSinceSlow = false;
      out.liveProcesses++;
      out.rssBytes += st.rssPages * this.pageSize;
      // Threads that already exited still count in the process's own utime/stime; reaped children in cutime/cstime.
      out.treeCpuMs += liveThreadMs + proc.exitedThreadsMs + proc.pendingExitedMs + (st.cutime + st.cstime) * TICK_MS;
      proc.countedInPass = this.sampleCount;
      out.treeUserTicks += st.utime + st.cutime;
      out.treeSystemTicks += st.stime + st.cstime;
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

  private liveThreadCount(proc: TrackedProcess): number {
    let n = 0;
    for (const th of proc.threads.values()) if (th.alive) n++;
    return n;
  }

  private addProcess(pid: number, ppid: number, tMs: number, infrastructure = false): void {
    if (this.processes.has(pid)) return;
    if (this.processes.size >= this.maxProcesses) {
      if (!this.cappedProcesses) {
        this.cappedProcesses = true;
        this.warnings.push(`Process tracking capped at ${this.maxProcesses} processes; later ones are still ended with the run and their CPU is still counted through their parents.`);
      }
      return;
    }
    const stat = ProcFile.open(`/proc/${pid}/stat`);
    if (!stat) return;
    const cmdline = (readProcOnce(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
    const first = stat.read();
    const parsed = first ? safeParse(first) : null;
    const parentProc = this.processes.get(ppid);
    const proc: TrackedProcess = {
      info: { pid, ppid, name: parsed?.comm ?? '?', cmdline, firstSeenMs: tMs },
      stat,
      threads: new Map(),
      alive: true,
      infrastructure,
      nums: newStatNumbers(),
      sampled: false,
      exitedThreadsMs: 0,
      countedInPass: -1,
      pendingExitedMs: 0,
      starttime: parsed?.starttime ?? 0,
      // A child of our keeper is the workload's top process, not somebody's child.
      parent: parentProc && !parentProc.infrastructure ? { name: parentProc.info.name, cmdline: parentProc.info.cmdline } : undefined,
      nonMainThreads: 0,
      mainChildren: infrastructure ? ProcFile.open(`/proc/${pid}/task/${pid}/children`) : null,
      mainMovedBefore: false,
    };
    this.processes.set(pid, proc);
  }

  private discoverThreads(proc: TrackedProcess, tMs: number): void {
    if (proc.infrastructure) return;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${proc.info.pid}/task`);
    } catch {
      return;
    }
    // In creation order, so a thread's rank among its process's threads is known.
    for (const tid of tids.map(Number).sort((a, b) => a - b)) {
      if (proc.threads.has(tid)) continue;
      if (this.threads.length >= this.maxThreads) {
        if (!this.cappedThreads) {
          this.cappedThreads = true;
          this.warnings.push(`Thread tracking capped at ${this.maxThreads} threads; their CPU is still counted in their process's total.`);
        }
        return;
      }
      const base = `/proc/${proc.info.pid}/task/${tid}`;
      const stat = ProcFile.open(`${base}/stat`);
      if (!stat) continue;
      const first = stat.read();
      const parsed = first ? safeParse(first) : null;
      const threadName = parsed?.comm ?? '?';
      const th: TrackedThread = {
        info: {
          pid: proc.info.pid,
          tid,
          name: threadName,
          role: classifyThreadRole({
            pid: proc.info.pid,
            tid,
            name: threadName,
            processName: proc.info.name,
            cmdline: proc.info.cmdline,
            creationRank: tid === proc.info.pid ? -1 : proc.nonMainThreads++,
            parent: proc.parent,
          }),
          firstSeenMs: tMs,
        },
        index: this.threads.length,
        stat,
        sched: ProcFile.open(`${base}/schedstat`),
        // Descriptors are scarce (ulimit -n, often 1024): only the main thread's children file,
        // read at every sample, stays open; other threads' files are opened when read.
        children: tid === proc.info.pid ? ProcFile.open(`${base}/children`) : null,
        alive: true,
        cpuMs: 0,
        ticks: 0,
        core: parsed?.processor ?? -1,
        state: (parsed?.state ?? '?') as ThreadState,
        switches: 0,
        renamed: false,
        runNs: -1,
        waitNs: -1,
        ranSinceSlow: true,
        ticksStale: true,
      };
      proc.threads.set(tid, th);
      this.threads.push(th);
    }
  }

  /** The keeper: its own threads are not the workload's, but its children (and the orphans it adopts) are. */
  private sampleKeeper(proc: TrackedProcess, tMs: number, out: TreeSample): void {
    const bytes = proc.stat?.readBytes();
    const st = proc.nums;
    if (!bytes || !parseStatBytes(bytes, st)) {
      this.markProcessExited(proc, tMs);
      return;
    }
    out.liveProcesses++;
    proc.sampled = true;
    const text = proc.mainChildren?.read();
    if (text) for (const child of parseChildren(text)) this.addProcess(child, proc.info.pid, tMs);
    out.treeCpuMs += (st.cutime + st.cstime) * TICK_MS;
    proc.countedInPass = this.sampleCount;
    out.treeUserTicks += st.cutime;
    out.treeSystemTicks += st.cstime;
  }

  /**
   * Refreshes one thread. schedstat is read every time: nanosecond CPU, context switches, and
   * whether the thread ran or waited in the run queue since the last sample. The stat line (core,
   * state, ticks, name) is read only for threads that moved, on refresh passes, and for all on slow
   * ones: a sleeping thread's stat has not changed, and most threads sleep.
   */
  private sampleThread(th: TrackedThread, refresh: boolean, slow: boolean): 'gone' | 'moved' | 'idle' {
    const sched = th.sched ? th.sched.readBytes() : null;
    const hasSched = sched !== null && parseSchedstatBytes(sched, this.schedScratch);
    if (th.sched && !hasSched) return 'gone';
    const first = th.runNs < 0;
    const moved = !hasSched || this.schedScratch.runNs !== th.runNs || this.schedScratch.waitNs !== th.waitNs;
    if (hasSched) {
      th.runNs = this.schedScratch.runNs;
      th.waitNs = this.schedScratch.waitNs;
      th.switches = this.schedScratch.timeslices;
      th.cpuMs = th.runNs / 1e6;
    }
    if (moved) th.ticksStale = true;
    if ((th.ticksStale && refresh) || slow || first || !hasSched) {
      th.ticksStale = false;
      const bytes = th.stat?.readBytes();
      const st = this.statScratch;
      if (!bytes || !parseStatBytes(bytes, st)) return 'gone';
      if (slow) {
        const comm = statComm(bytes);
        if (comm !== th.info.name) {
          th.info.name = comm;
          th.renamed = true;
        }
      }
      th.ticks = st.utime + st.stime;
      th.core = st.processor;
      th.state = st.state as ThreadState;
      if (!hasSched) th.cpuMs = th.ticks * TICK_MS;
    } else {
      // Ran or waited to run during the interval: runnable; neither: asleep.
      th.state = moved ? 'R' : th.state === 'R' ? 'S' : th.state;
    }
    if (moved) th.ranSinceSlow = true;
    return moved ? 'moved' : 'idle';
  }

  /** Fallback discovery: every process on the machine whose parent is one of ours. */
  private scanForChildren(tMs: number): void {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return;
    }
    // Parents before children: repeat while the scan keeps finding new members.
    for (let found = true; found; ) {
      found = false;
      for (const e of entries) {
        const pid = Number(e);
        if (!Number.isInteger(pid) || this.processes.has(pid)) continue;
        const text = readProcOnce(`/proc/${pid}/stat`);
        const st = text ? safeParse(text) : null;
        const parent = st ? this.processes.get(st.ppid) : undefined;
        if (st && parent?.alive) {
          this.addProcess(pid, st.ppid, tMs);
          found = true;
        }
      }
    }
  }

  /** After an exec the process is another program: take its new name and command line, and re-tell roles. */
  private onRename(proc: TrackedProcess, th: TrackedThread): void {
    th.renamed = false;
    if (th.info.tid === proc.info.pid) {
      proc.info.name = th.info.name;
      proc.info.cmdline = (readProcOnce(`/proc/${proc.info.pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ') || proc.info.cmdline;
    }
    let rank = 0;
    for (const t of proc.threads.values()) {
      t.info.role = classifyThreadRole({
        pid: proc.info.pid,
        tid: t.info.tid,
        name: t.info.name,
        processName: proc.info.name,
        cmdline: proc.info.cmdline,
        creationRank: t.info.tid === proc.info.pid ? -1 : rank++,
        parent: proc.parent,
      });
    }
  }

  private discoverChildren(th: TrackedThread, pid: number, tMs: number): void {
    const text = th.children ? th.children.read() : readProcOnce(`/proc/${pid}/task/${th.info.tid}/children`);
    if (!text) return;
    for (const child of parseChildren(text)) this.addProcess(child, pid, tMs);
  }

  private readLastPid(): number {
    const bytes = this.loadavg?.readBytes();
    return bytes ? lastPidFromLoadavg(bytes) : -1;
  }

  /**
   * A process whose stat can no longer be read has been reaped, and its CPU (its own and its
   * reaped children's) is now in its parent's cutime/cstime — but the parent's stat line may have
   * been read before the reaping, or not at all this pass. Reading it again now moves the CPU
   * over in the same sample; otherwise it vanished from the total until the parent's next
   * refresh (a sample of 0 cores, then one of twice the truth). Returns what the parent's
   * children's CPU grew by, to add to this pass's total when the parent was already counted.
   */
  private settleReaped(proc: TrackedProcess): number {
    // Its parent reaped it, or, if the parent went first, the keeper (our root) that adopted it.
    let parent = this.processes.get(proc.info.ppid);
    if (!parent?.alive) {
      const root = this.processes.get(this.rootPid);
      parent = root?.infrastructure ? root : undefined;
    }
    if (!parent?.alive || !parent.sampled) return 0;
    const st = parent.nums;
    const before = st.cutime + st.cstime;
    const saved = { ...st };
    if (!this.readStat(parent)) {
      // The parent went too: it is found gone on its own turn.
      Object.assign(st, saved);
      return 0;
    }
    const grewMs = Math.max(0, st.cutime + st.cstime - before) * TICK_MS;
    // Counted already this pass (parents come before their children): add what it grew by.
    return parent.countedInPass === this.sampleCount ? grewMs : 0;
  }

  /** Reads `proc`'s stat line into its figures; null when it is gone (or its pid now names another process). */
  private readStat(proc: TrackedProcess): Uint8Array | null {
    const bytes = proc.stat?.readBytes();
    if (!bytes || !parseStatBytes(bytes, proc.nums) || (proc.starttime && proc.nums.starttime !== proc.starttime)) return null;
    return bytes;
  }

  private markProcessExited(proc: TrackedProcess, tMs: number): void {
    this.lastExitSample = this.sampleCount;
    proc.alive = false;
    proc.info.exitedMs = tMs;
    proc.stat?.close();
    proc.mainChildren?.close();
    for (const th of proc.threads.values()) {
      if (th.alive) {
        th.alive = false;
        th.info.exitedMs = tMs;
      }
      closeThread(th);
    }
  }
}

function closeThread(th: TrackedThread): void {
  th.stat?.close();
  th.sched?.close();
  th.children?.close();
  th.stat = th.sched = th.children = null;
}

function safeParse(text: string): TaskStat | null {
  try {
    return parseTaskStat(text);
  } catch {
    return null;
  }
}
