// Reads one thread of the tree at a pass. schedstat is read every time: nanosecond CPU, context
// switches, and whether the thread ran or waited in the run queue since the last sample. The stat
// line (core, state, ticks, name) is read only for threads that moved, on refresh passes, and for
// all on slow ones: a sleeping thread's stat has not changed, and most threads sleep.
import type { ThreadState } from '../../shared/types';
import { parseSchedstatBytes, type Schedstat } from '../proc/parseSchedstat';
import { newStatNumbers, parseStatBytes, statComm } from '../proc/parseTaskStat';
import { TICK_MS } from '../proc/kernelUnits';
import type { TrackedThread } from './trackedTree';

/** The part of a pass plan that decides what of a thread is read. */
export interface ThreadPass {
  refresh: boolean;
  slow: boolean;
}

/** A thread just discovered: its stat line is read once, whatever the pass. */
export const FIRST_READ: ThreadPass = { refresh: true, slow: false };

/** Gone: its files no longer read. Moved: it ran or waited for a core since the last read. */
export type ThreadOutcome = 'gone' | 'moved' | 'idle';

// Scratch figures reused by every read: a pass allocates nothing per thread.
const schedScratch: Schedstat = { runNs: 0, waitNs: 0, timeslices: 0 };
const statScratch = newStatNumbers();

export function readThread(th: TrackedThread, pass: ThreadPass): ThreadOutcome {
  // Most threads sleep: the native sampler says when a schedstat is as it was, and there is
  // nothing to parse (the figures kept from the last read are current).
  const same = th.runNs >= 0 && th.sched?.unchanged?.() === true;
  const sched = same || !th.sched ? null : th.sched.readBytes();
  const hasSched = same || (sched !== null && parseSchedstatBytes(sched, schedScratch));
  if (th.sched && !hasSched) return 'gone';
  const first = th.runNs < 0;
  const moved = !hasSched || (!same && (schedScratch.runNs !== th.runNs || schedScratch.waitNs !== th.waitNs));
  if (hasSched && !same) {
    th.runNs = schedScratch.runNs;
    th.waitNs = schedScratch.waitNs;
    th.switches = schedScratch.timeslices;
    th.cpuMs = th.runNs / 1e6;
  }
  if (moved) th.ticksStale = true;
  if ((th.ticksStale && pass.refresh) || pass.slow || first || !hasSched) {
    th.ticksStale = false;
    const bytes = th.stat?.readBytes();
    const st = statScratch;
    if (!bytes || !parseStatBytes(bytes, st)) return 'gone';
    if (pass.slow) {
      const comm = statComm(bytes);
      if (comm !== th.info.name) {
        th.info.name = comm;
        th.renamed = true;
      }
    }
    th.ticks = st.utime + st.stime;
    th.core = st.processor;
    th.state = st.state as ThreadState;
    // No schedstat (a kernel without schedstats): the ticks are all there is.
    if (!hasSched) th.cpuMs = th.ticks * TICK_MS;
  } else {
    // Ran or waited to run during the interval: runnable; neither: asleep.
    th.state = moved ? 'R' : th.state === 'R' ? 'S' : th.state;
  }
  if (moved) th.ranSinceSlow = true;
  return moved ? 'moved' : 'idle';
}
