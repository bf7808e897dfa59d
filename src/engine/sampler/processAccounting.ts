// How the tree's CPU stays whole while its threads and processes come and go.
//
// A live process contributes its live threads' CPU, what its exited threads used (its own
// utime/stime less its live threads' ticks), and what its reaped children used (cutime/cstime).
// When a thread exits, its CPU moves from "live threads" into the process's own figure; when a
// child is reaped, its total moves into its parent's cutime/cstime. Read at the right moments,
// each move keeps the sum whole — no sample of 0 cores followed by one of twice the truth.
import { TICK_MS } from '../proc/kernelUnits';
import { parseStatBytes } from '../proc/parseTaskStat';
import { endThread, type TrackedProcess, type TrackedThread, type TreeSample } from './trackedTree';

/** Reads `proc`'s stat line into its figures; null when it is gone (or its pid now names another process). */
export function readProcessStat(proc: TrackedProcess): Uint8Array | null {
  const bytes = proc.stat?.readBytes();
  if (!bytes || !parseStatBytes(bytes, proc.nums) || (proc.starttime && proc.nums.starttime !== proc.starttime)) return null;
  return bytes;
}

/** A tracked thread exited: its CPU is counted until the next stat refresh folds it into the process's exited-threads figure. */
export function threadExited(proc: TrackedProcess, th: TrackedThread, tMs: number): void {
  proc.pendingExitedMs += th.cpuMs;
  endThread(th, tMs);
}

/**
 * On a pass where every live thread's ticks are current: the CPU of the process's exited threads
 * is its own utime+stime less its live threads' ticks. A consistent snapshot — up to a tick or
 * two, as the process's and its threads' counts are read microseconds apart and each is rounded
 * to 10 ms ticks. So the figure moves when a thread exited or when it is off by more than that,
 * not with that noise (±0.2–0.4 of a core in a 50 ms sample).
 */
export function foldExitedThreads(proc: TrackedProcess, liveThreadTicks: number, first: boolean): void {
  const st = proc.nums;
  const snapshot = Math.max(0, (st.utime + st.stime - liveThreadTicks) * TICK_MS);
  if (first || proc.pendingExitedMs > 0 || Math.abs(snapshot - proc.exitedThreadsMs) > 2 * TICK_MS) proc.exitedThreadsMs = snapshot;
  proc.pendingExitedMs = 0;
}

/** Adds a workload process to the pass's totals. */
export function countProcess(out: TreeSample, proc: TrackedProcess, liveThreadMs: number, pageSize: number, pass: number): void {
  const st = proc.nums;
  out.liveProcesses++;
  out.rssBytes += st.rssPages * pageSize;
  // Threads that already exited still count in the process's own utime/stime; reaped children in cutime/cstime.
  out.treeCpuMs += liveThreadMs + proc.exitedThreadsMs + proc.pendingExitedMs + (st.cutime + st.cstime) * TICK_MS;
  proc.countedInPass = pass;
  out.treeUserTicks += st.utime + st.cutime;
  out.treeSystemTicks += st.stime + st.cstime;
}

/** Adds the keeper to the pass's totals: only what it reaped (its children, and the orphans it adopted) is the workload's. */
export function countKeeper(out: TreeSample, proc: TrackedProcess, pass: number): void {
  const st = proc.nums;
  out.liveProcesses++;
  out.treeCpuMs += (st.cutime + st.cstime) * TICK_MS;
  proc.countedInPass = pass;
  out.treeUserTicks += st.cutime;
  out.treeSystemTicks += st.cstime;
}

/**
 * A process whose stat can no longer be read has been reaped, and its CPU (its own and its
 * reaped children's) is now in its parent's cutime/cstime — but the parent's stat line may have
 * been read before the reaping, or not at all this pass. Reading it again now moves the CPU
 * over in the same sample; otherwise it vanished from the total until the parent's next
 * refresh (a sample of 0 cores, then one of twice the truth). Returns what the parent's
 * children's CPU grew by, to add to this pass's total when the parent was already counted.
 */
export function settleReaped(proc: TrackedProcess, processes: ReadonlyMap<number, TrackedProcess>, rootPid: number, pass: number): number {
  // Its parent reaped it, or, if the parent went first, the keeper (our root) that adopted it.
  let parent = processes.get(proc.info.ppid);
  if (!parent?.alive) {
    const root = processes.get(rootPid);
    parent = root?.infrastructure ? root : undefined;
  }
  if (!parent?.alive || !parent.sampled) return 0;
  const st = parent.nums;
  const before = st.cutime + st.cstime;
  const saved = { ...st };
  if (!readProcessStat(parent)) {
    // The parent went too: it is found gone on its own turn.
    Object.assign(st, saved);
    return 0;
  }
  const grewMs = Math.max(0, st.cutime + st.cstime - before) * TICK_MS;
  // Counted already this pass (parents come before their children): add what it grew by.
  return parent.countedInPass === pass ? grewMs : 0;
}
