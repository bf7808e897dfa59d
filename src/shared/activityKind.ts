// The one judgement of what a workload was doing in a stretch of time — a 250 ms window, or a
// phase of many bins — from the kernel's evidence summarised in an Activity. The per-window
// strip, the phases and the run's headline all call this, so they cannot disagree.
import type { Activity } from './activity';

export type ActivityKind = 'serial' | 'interleaved' | 'parallel' | 'waiting' | 'blocked' | 'contended';

/**
 * Below this many cores wanted (used + queued), the workload mostly waited. Judged on what it
 * wanted, not what it got, so a busy machine cannot make computing look like waiting.
 */
export const WAITING_MAX = 0.2;
/**
 * From this many cores used, work ran in parallel: one thread cannot use more than one core, so
 * anything clearly above one core is parallel, on any machine. 1.25 leaves room for tick noise
 * above one busy thread; the measured values of the stretches it separates (one thread or the
 * GIL: 0.95–1.05; two processes on 2 cores: 1.8–1.98) are far from it.
 */
export const PARALLEL_MIN = 1.25;
/** A heartbeat this late means the event loop was blocked. */
export const BLOCKED_LAG_MS = 50;
/** The loop's own thread must have wanted this share of a core for late heartbeats to mean it blocked itself. */
export const LOOP_THREAD_BUSY = 0.5;
/** Threads each wanting a core throughout, on average: two or more is contention, not turn-taking. */
const CONTENDING_THREADS = 1.5;
/** More than half the stretch with threads taking turns makes it interleaved. */
const TURN_TAKING_SHARE = 0.5;

export function activityKind(a: Activity): ActivityKind {
  const loopBusy = a.loopThreadDemand === null || a.loopThreadDemand >= LOOP_THREAD_BUSY;
  if (a.lagMaxMs !== null && a.lagMaxMs >= BLOCKED_LAG_MS && a.cores < PARALLEL_MIN && loopBusy) return 'blocked';
  if (a.demand < WAITING_MAX) return 'waiting';
  if (a.cores >= PARALLEL_MIN) return 'parallel';
  // Several threads of one process switching in and out on about one core, each sleeping while
  // it waits (the GIL, a lock): they took turns, even when a busy machine queued the one holding it.
  const tookTurns = a.turnTaking > TURN_TAKING_SHARE && a.hungryThreads < CONTENDING_THREADS;
  // Wanted more than one core's worth and did not get it: threads sat in the run queue for cores.
  if (a.demand >= PARALLEL_MIN && !tookTurns) return 'contended';
  if (tookTurns || a.turnTaking > TURN_TAKING_SHARE) return 'interleaved';
  // Several tasks in flight on the one busy thread: an event loop interleaving coroutines.
  if (a.tasksInFlight >= 2 && a.topThreadCores >= 0.5) return 'interleaved';
  return 'serial';
}

/**
 * Which number decided the kind, the line it was compared with, and what the stretch would have
 * read had that number been just across the line (for "borderline" readings).
 */
export function decidingLine(a: Activity, kind: ActivityKind): { value: number; line: number; other: ActivityKind; what: string } | null {
  const across = (over: Partial<Activity>): ActivityKind => activityKind({ ...a, ...over });
  const below = (line: number): number => line - 1e-6;
  switch (kind) {
    case 'waiting':
      return { value: a.demand, line: WAITING_MAX, other: across({ demand: WAITING_MAX, cores: Math.max(a.cores, WAITING_MAX / 2) }), what: 'cores wanted' };
    case 'parallel':
      return { value: a.cores, line: PARALLEL_MIN, other: across({ cores: below(PARALLEL_MIN), demand: Math.min(a.demand, below(PARALLEL_MIN)) }), what: 'cores used' };
    case 'contended':
      return { value: a.demand, line: PARALLEL_MIN, other: across({ demand: below(PARALLEL_MIN) }), what: 'cores wanted' };
    case 'serial':
    case 'interleaved':
      // Closer to which line? Report that one.
      return Math.abs(a.demand - WAITING_MAX) < Math.abs(a.cores - PARALLEL_MIN)
        ? { value: a.demand, line: WAITING_MAX, other: 'waiting', what: 'cores wanted' }
        : { value: a.cores, line: PARALLEL_MIN, other: 'parallel', what: 'cores used' };
    case 'blocked':
      return null;
  }
}
