// Figures a run may not know, in the words every view uses. A run on another machine whose
// connection was lost keeps only what streamed here (its samples, events and running totals):
// its user/system split, peak memory, spawn latency and CoreScope's own CPU there stay unknown,
// and every view says "not known" rather than printing a zero.
import type { RunResult } from './types';

export const NOT_KNOWN = 'not known';

/** `fmt(value)`, or "not known". */
export function orNotKnown(value: number | null, fmt: (v: number) => string): string {
  return value === null ? NOT_KNOWN : fmt(value);
}

/** "1.20 s (user 1.10 s, system 100 ms)", or the total alone when the split is not known. */
export function cpuTimeText(cpu: RunResult['cpu'], fmt: (ms: number) => string): string {
  const split = cpu.userMs === null || cpu.systemMs === null ? 'user/system split not known' : `user ${fmt(cpu.userMs)}, system ${fmt(cpu.systemMs)}`;
  return `${fmt(cpu.totalMs)} (${split})`;
}
