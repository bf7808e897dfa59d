// Who belongs to the workload's tree: processes found through children files (or, on kernels
// without them, a scan of /proc by parent pid), threads found by listing a process's task
// directory, and the names and roles they get — re-told after an exec or a rename.
import { readdirSync } from 'node:fs';
import type { ThreadState } from '../../shared/types';
import { classifyThreadRole } from '../../shared/threadRoles';
import { parseChildren } from '../proc/parseChildren';
import { newStatNumbers, tryParseTaskStat } from '../proc/parseTaskStat';
import { readProcOnce } from '../proc/procFile';
import type { ProcPaths } from './procPaths';
import type { SampleSource } from './sampleSource';
import type { TrackedProcess, TrackedThread } from './trackedTree';

export class TreeDiscovery {
  readonly processes = new Map<number, TrackedProcess>();
  /** Every thread ever tracked, in discovery order: a thread's position is its column in the sample store. */
  readonly threads: TrackedThread[] = [];
  readonly warnings: string[] = [];
  private cappedProcesses = false;
  private cappedThreads = false;

  constructor(
    private readonly paths: ProcPaths,
    private readonly maxProcesses: number,
    private readonly maxThreads: number,
    /** Opens the files read at every sample: as ProcFiles, or as the native sampler's. */
    private readonly source: SampleSource,
  ) {}

  addProcess(pid: number, ppid: number, tMs: number, infrastructure = false): void {
    if (this.processes.has(pid)) return;
    if (this.processes.size >= this.maxProcesses) {
      if (!this.cappedProcesses) {
        this.cappedProcesses = true;
        this.warnings.push(`Process tracking capped at ${this.maxProcesses} processes; later ones are still ended with the run and their CPU is still counted through their parents.`);
      }
      return;
    }
    const stat = this.source.open(this.paths.process(pid, 'stat'), infrastructure ? 'keeper-stat' : 'process-stat', pid, pid);
    if (!stat) return;
    const cmdline = this.cmdline(pid) ?? '';
    const parsed = tryParseTaskStat(stat.read());
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
      mainChildren: infrastructure ? this.source.open(this.paths.task(pid, pid, 'children'), 'keeper-children', pid, pid) : null,
      mainMovedBefore: false,
    };
    this.processes.set(pid, proc);
  }

  /** Tracks the threads of `proc` not tracked yet (appended to `threads`, so the caller can read them at once). */
  discoverThreads(proc: TrackedProcess, tMs: number): void {
    if (proc.infrastructure) return;
    let tids: string[];
    try {
      tids = readdirSync(this.paths.tasks(proc.info.pid));
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
      const pid = proc.info.pid;
      const stat = this.source.open(this.paths.task(pid, tid, 'stat'), 'task-stat', pid, tid);
      if (!stat) continue;
      const parsed = tryParseTaskStat(stat.read());
      const threadName = parsed?.comm ?? '?';
      const th: TrackedThread = {
        info: {
          pid,
          tid,
          name: threadName,
          role: classifyThreadRole({
            pid,
            tid,
            name: threadName,
            processName: proc.info.name,
            cmdline: proc.info.cmdline,
            creationRank: tid === pid ? -1 : proc.nonMainThreads++,
            parent: proc.parent,
          }),
          firstSeenMs: tMs,
        },
        index: this.threads.length,
        stat,
        sched: this.source.open(this.paths.task(pid, tid, 'schedstat'), 'task-schedstat', pid, tid),
        // Descriptors are scarce (ulimit -n, often 1024): only the main thread's children file,
        // read at every sample, stays open; other threads' files are opened when read.
        children: tid === pid ? this.source.open(this.paths.task(pid, tid, 'children'), 'task-children', pid, tid) : null,
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

  /** Tracks the children `th` (a thread of process `pid`) forked. */
  discoverChildren(th: TrackedThread, pid: number, tMs: number): void {
    const text = th.children ? th.children.read() : readProcOnce(this.paths.task(pid, th.info.tid, 'children'));
    if (!text) return;
    for (const child of parseChildren(text)) this.addProcess(child, pid, tMs);
  }

  /** Tracks what the keeper's main thread reaped-to-be: its children and the orphans it adopted. */
  discoverKeeperChildren(keeper: TrackedProcess, tMs: number): void {
    const text = keeper.mainChildren?.read();
    if (text) for (const child of parseChildren(text)) this.addProcess(child, keeper.info.pid, tMs);
  }

  /** Fallback discovery: every process on the machine whose parent is one of ours. */
  scanForChildren(tMs: number): void {
    let entries: string[];
    try {
      entries = readdirSync(this.paths.root);
    } catch {
      return;
    }
    // Parents before children: repeat while the scan keeps finding new members.
    for (let found = true; found; ) {
      found = false;
      for (const e of entries) {
        const pid = Number(e);
        if (!Number.isInteger(pid) || this.processes.has(pid)) continue;
        const st = tryParseTaskStat(readProcOnce(this.paths.process(pid, 'stat')));
        const parent = st ? this.processes.get(st.ppid) : undefined;
        if (st && parent?.alive) {
          this.addProcess(pid, st.ppid, tMs);
          found = true;
        }
      }
    }
  }

  /** The process's stat line names another program: an exec (a shim or shell handing over) renames it at once. */
  onProcessName(proc: TrackedProcess, comm: string): void {
    if (comm === proc.info.name) return;
    const main = proc.threads.get(proc.info.pid);
    if (main) {
      main.info.name = comm;
      this.onRename(proc, main);
    } else proc.info.name = comm;
  }

  /** After an exec the process is another program: take its new name and command line, and re-tell roles. */
  onRename(proc: TrackedProcess, th: TrackedThread): void {
    th.renamed = false;
    if (th.info.tid === proc.info.pid) {
      proc.info.name = th.info.name;
      proc.info.cmdline = this.cmdline(proc.info.pid) || proc.info.cmdline;
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

  /** The command line, its NUL-separated arguments joined by spaces; null when unreadable. */
  private cmdline(pid: number): string | null {
    const raw = readProcOnce(this.paths.process(pid, 'cmdline'));
    return raw === null ? null : raw.split('\0').filter(Boolean).join(' ');
  }
}
