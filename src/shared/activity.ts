// What a workload did in a stretch of time, summarised from the per-thread readings of that
// stretch: the unit both the per-window verdicts and the phases read. A bin (100 ms) and a phase
// (a run of bins) have the same shape, so one classifier (activityKind.ts) judges both.
//
// The evidence is what the kernel says, per thread: CPU time and run-queue wait from schedstat
// (ns), how often the thread was switched onto a core (schedstat's third field), its state from
// stat (sleeping 'S', runnable 'R', uninterruptible 'D' — usually disk I/O).
import type { ThreadRole } from './types';

export interface Activity {
  fromMs: number;
  toMs: number;
  /** Cores' worth of CPU the workload used. */
  cores: number;
  /** Cores' worth the workload wanted: used plus time its threads waited in the run queue. */
  demand: number;
  /** Cores' worth other programs used (the machine's busy cores less the workload's). */
  otherCores: number;
  coreCount: number;
  /** Threads that ran or wanted to (on average over the stretch). */
  activeThreads: number;
  /** The busiest single thread's share of a core. */
  topThreadCores: number;
  /**
   * Threads that wanted a core nearly all the time (used + queued ≥ HUNGRY_DEMAND). Threads
   * contending for cores each want one throughout; threads taking turns on the GIL or a lock
   * sleep while they wait for it, so at most one of them wants a core at any moment.
   */
  hungryThreads: number;
  /**
   * Share of the stretch in which threads of one process took turns: two or more each ran a
   * noticeable part of it, switching often, while together they used about one core.
   */
  turnTaking: number;
  /** The process whose threads took turns (the one seen longest), and how many took part. */
  turnTakers: { pid: number; threads: number } | null;
  /** Where the workload's threads were when not on a core: shares of thread-time (0..1). */
  asleep: number;
  queued: number;
  diskWait: number;
  /** The machine's iowait, in cores. */
  iowaitCores: number;
  /** Latest heartbeat lag the workload reported, and how busy the loop's thread was (0..1). */
  lagMaxMs: number | null;
  loopThreadDemand: number | null;
  /** Tasks in flight (peak), from the workload's events; 0 without events. */
  tasksInFlight: number;
  /** Processes of the workload first seen in the stretch. */
  processesBorn: number;
}

/** One thread's figures over a stretch, as the accumulator gathers them. */
export interface ThreadStretch {
  pid: number;
  tid: number;
  role: ThreadRole;
  /** Cores' worth of CPU it used (0..1). */
  cpu: number;
  /** CPU plus run-queue wait: what it wanted, however busy the machine (0..1+). */
  demand: number;
  /** Shares of its samples in which it was runnable ('R'), asleep ('S' and kin), in disk wait ('D'). */
  runnable: number;
  asleep: number;
  diskWait: number;
  /** Times switched onto a core per second. */
  switchesPerS: number;
}

/** A thread counts as active from this share of a core used, or when runnable this often. */
export const ACTIVE_CPU = 0.05;
const ACTIVE_RUNNABLE = 0.3;
/**
 * Turn-taking: each thread ran at least this share of the stretch, together no more than
 * TURNS_MAX_CORES (one core plus tick slack), and each was switched onto a core at least
 * TURNS_MIN_SWITCHES times a second. CPython hands the GIL over every 5 ms (200 switches/s per
 * thread measured here); two threads that merely ran one after the other in the same 100 ms
 * switch a handful of times.
 */
export const TURNS_MIN_CPU = 0.1;
export const TURNS_MAX_CORES = 1.25;
export const TURNS_MIN_SWITCHES = 40;
export const HUNGRY_DEMAND = 0.8;

export interface StretchInput {
  fromMs: number;
  toMs: number;
  coreCount: number;
  cores: number;
  machineBusy: number;
  iowaitCores: number;
  threads: ThreadStretch[];
  lagMaxMs: number | null;
  tasksInFlight: number;
  processesBorn: number;
}

export function summariseStretch(s: StretchInput): Activity {
  const active = s.threads.filter((t) => t.cpu >= ACTIVE_CPU || t.runnable > ACTIVE_RUNNABLE);
  const demand = s.threads.reduce((sum, t) => sum + t.demand, 0);
  const mains = s.threads.filter((t) => t.role === 'main');
  const n = s.threads.length;
  const turns = turnTakers(s.threads);
  return {
    fromMs: s.fromMs,
    toMs: s.toMs,
    // At most every core: more is the sampler booking CPU late (a child reaped between two
    // samples), not work done in this stretch.
    cores: Math.min(s.cores, s.coreCount),
    // Never below what was used: threads that exited mid-stretch are in `cores` but not in the list.
    demand: Math.max(Math.min(s.cores, s.coreCount), demand),
    otherCores: Math.max(0, s.machineBusy - s.cores),
    coreCount: s.coreCount,
    activeThreads: active.length,
    topThreadCores: Math.max(0, ...s.threads.map((t) => t.cpu)),
    hungryThreads: s.threads.filter((t) => t.demand >= HUNGRY_DEMAND).length,
    turnTaking: turns ? 1 : 0,
    turnTakers: turns,
    asleep: n ? s.threads.reduce((sum, t) => sum + t.asleep, 0) / n : 0,
    queued: n ? s.threads.reduce((sum, t) => sum + Math.max(0, t.demand - t.cpu), 0) / n : 0,
    diskWait: n ? s.threads.reduce((sum, t) => sum + t.diskWait, 0) / n : 0,
    iowaitCores: s.iowaitCores,
    lagMaxMs: s.lagMaxMs,
    loopThreadDemand: mains.length ? Math.max(...mains.map((t) => t.demand)) : null,
    tasksInFlight: s.tasksInFlight,
    processesBorn: s.processesBorn,
  };
}

function turnTakers(threads: ThreadStretch[]): { pid: number; threads: number } | null {
  const byPid = new Map<number, ThreadStretch[]>();
  for (const t of threads) if (t.cpu >= TURNS_MIN_CPU) byPid.set(t.pid, [...(byPid.get(t.pid) ?? []), t]);
  let best: { pid: number; threads: number } | null = null;
  for (const [pid, ts] of byPid) {
    const sum = ts.reduce((s, t) => s + t.cpu, 0);
    const switching = ts.filter((t) => t.switchesPerS >= TURNS_MIN_SWITCHES).length;
    if (ts.length >= 2 && switching >= 2 && sum <= TURNS_MAX_CORES && (!best || ts.length > best.threads)) best = { pid, threads: ts.length };
  }
  return best;
}

/** The time-weighted summary of consecutive stretches (a phase from its bins). */
export function mergeActivity(parts: readonly Activity[]): Activity {
  const first = parts[0];
  const last = parts[parts.length - 1];
  let total = 0;
  const sum = { cores: 0, demand: 0, otherCores: 0, activeThreads: 0, topThreadCores: 0, hungryThreads: 0, turnTaking: 0, asleep: 0, queued: 0, diskWait: 0, iowaitCores: 0 };
  let lag: number | null = null;
  let loop: number | null = null;
  let tasks = 0;
  let born = 0;
  const takers = new Map<number, { pid: number; threads: number; ms: number }>();
  for (const a of parts) {
    const w = Math.max(0, a.toMs - a.fromMs);
    total += w;
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += a[k] * w;
    if (a.lagMaxMs !== null) lag = Math.max(lag ?? 0, a.lagMaxMs);
    if (a.loopThreadDemand !== null) loop = (loop ?? 0) + a.loopThreadDemand * w;
    tasks = Math.max(tasks, a.tasksInFlight);
    born += a.processesBorn;
    if (a.turnTakers) {
      const t = takers.get(a.turnTakers.pid) ?? { pid: a.turnTakers.pid, threads: 0, ms: 0 };
      t.threads = Math.max(t.threads, a.turnTakers.threads);
      t.ms += w;
      takers.set(t.pid, t);
    }
  }
  const mean = (x: number): number => (total > 0 ? x / total : 0);
  const taker = [...takers.values()].sort((a, b) => b.ms - a.ms)[0];
  return {
    fromMs: first.fromMs,
    toMs: last.toMs,
    cores: mean(sum.cores),
    demand: mean(sum.demand),
    otherCores: mean(sum.otherCores),
    coreCount: first.coreCount,
    activeThreads: mean(sum.activeThreads),
    topThreadCores: mean(sum.topThreadCores),
    hungryThreads: mean(sum.hungryThreads),
    turnTaking: mean(sum.turnTaking),
    turnTakers: taker ? { pid: taker.pid, threads: taker.threads } : null,
    asleep: mean(sum.asleep),
    queued: mean(sum.queued),
    diskWait: mean(sum.diskWait),
    iowaitCores: mean(sum.iowaitCores),
    lagMaxMs: lag,
    loopThreadDemand: loop === null ? null : mean(loop),
    tasksInFlight: tasks,
    processesBorn: born,
  };
}
