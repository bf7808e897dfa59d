// Verdicts per time window, and where the workload had more threads wanting a core than cores
// busy, the likeliest reason from the evidence in that window.
import type { ThreadRole, WaitReason, WindowVerdict } from './types';
import { BLOCKED_LAG_MS, classify } from './verdict';

export const WINDOW_MS = 250;

export interface WindowThread {
  pid: number;
  tid: number;
  role: ThreadRole;
  /** Cores' worth of CPU this thread used in the window (0..1). */
  cpu: number;
  /** CPU used plus time spent waiting for a core (run queue): what it wanted, however busy the machine. */
  demand?: number;
  /** Share of the window's samples in which the thread was runnable ('R'). */
  runnable: number;
  /** Context switches per second in the window: a thread taking turns on a lock or the GIL switches often. */
  switchesPerS: number;
}

export interface WindowInput {
  fromMs: number;
  toMs: number;
  coreCount: number;
  /** Cores' worth of CPU the workload used in the window. */
  parallelism: number;
  /** Busy cores of the whole machine in the window. */
  machineBusy: number;
  threads: WindowThread[];
  /** Latest heartbeat lag reported in the window, if any. */
  lagMaxMs: number | null;
}

const ACTIVE_CPU = 0.05;
const CONTENDING_CPU = 0.1;

export function windowVerdict(w: WindowInput): WindowVerdict {
  const active = w.threads.filter((t) => t.cpu >= ACTIVE_CPU || t.runnable > 0.3);
  const loopBusy = Math.max(0, ...w.threads.filter((t) => t.role === 'main').map((t) => t.demand ?? t.cpu));
  const kind = classify(w.parallelism, w.lagMaxMs, w.threads.length ? loopBusy : undefined);
  const base = { fromMs: w.fromMs, toMs: w.toMs, parallelism: w.parallelism, activeThreads: active.length, kind };
  const text = `${w.parallelism.toFixed(2)} cores busy, ${active.length} active thread(s)`;
  const reason = waitReason(w, active);
  return reason ? { ...base, text, reason } : { ...base, text };
}

function waitReason(w: WindowInput, active: WindowThread[]): { kind: WaitReason; text: string } | undefined {
  const idleCores = w.coreCount - w.machineBusy;
  if (w.lagMaxMs !== null && w.lagMaxMs >= BLOCKED_LAG_MS) {
    const main = w.threads.find((t) => t.role === 'main' && t.cpu > 0.5);
    if (main) return { kind: 'event-loop-blocked', text: `Event loop blocked: main thread ${(main.cpu * 100).toFixed(0)}% busy, heartbeat ${w.lagMaxMs.toFixed(0)} ms late` };
  }
  const runnable = w.threads.reduce((s, t) => s + t.runnable, 0);
  if (runnable > w.coreCount + 0.5 && idleCores < 0.3) {
    return { kind: 'oversubscribed', text: `Oversubscribed: ${runnable.toFixed(1)} threads runnable on average for ${w.coreCount} cores` };
  }
  // Several threads of one process each getting some CPU, but together about one core, while
  // cores sit idle: they are taking turns on a lock (for Python, the GIL).
  const byPid = new Map<number, WindowThread[]>();
  for (const t of w.threads) if (t.cpu >= CONTENDING_CPU) byPid.set(t.pid, [...(byPid.get(t.pid) ?? []), t]);
  for (const [pid, ts] of byPid) {
    const sum = ts.reduce((s, t) => s + t.cpu, 0);
    if (ts.length >= 2 && sum < 1.25 && idleCores >= 0.5) {
      const switches = ts.reduce((s, t) => s + t.switchesPerS, 0);
      return {
        kind: 'gil-or-lock',
        text: `GIL or lock contention: ${ts.length} threads of pid ${pid} ready, together ${sum.toFixed(2)} cores busy, ${idleCores.toFixed(1)} core(s) idle${switches > 0 ? `, ${switches.toFixed(0)} context switches/s` : ''}`,
      };
    }
  }
  if (w.parallelism < 0.1 && active.length === 0 && w.threads.length > 0) {
    return { kind: 'io-wait', text: `Waiting: all ${w.threads.length} threads asleep (I/O or timers), ${w.parallelism.toFixed(2)} cores busy` };
  }
  return undefined;
}
