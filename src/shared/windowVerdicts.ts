// Verdicts per time window (the strip under the charts): the same judgement as the phases
// (activityKind), and where the workload had more threads wanting a core than cores busy, the
// likeliest reason from the evidence in that window.
import type { StretchInput, ThreadStretch } from './activity';
import { ACTIVE_CPU, summariseStretch } from './activity';
import { activityKind, BLOCKED_LAG_MS } from './activityKind';
import type { WaitReason, WindowVerdict } from './types';

export const WINDOW_MS = 250;

const CONTENDING_CPU = 0.1;

const KIND_WORDS: Record<WindowVerdict['kind'], string> = {
  serial: 'serial (one thread)',
  interleaved: 'interleaved (took turns)',
  parallel: 'parallel',
  waiting: 'waiting',
  blocked: 'event loop blocked',
  contended: 'contended (wanted more cores)',
  mixed: 'mixed',
  failed: 'failed',
};

/** The word a window's or phase's kind is shown with. */
export function kindWord(kind: WindowVerdict['kind']): string {
  return KIND_WORDS[kind];
}

export function windowVerdict(w: StretchInput): WindowVerdict {
  const a = summariseStretch(w);
  const kind = activityKind(a);
  const base = { fromMs: w.fromMs, toMs: w.toMs, parallelism: w.cores, activeThreads: a.activeThreads, kind };
  const text = `${kindWord(kind)}: ${w.cores.toFixed(2)} cores busy, ${a.activeThreads} active thread(s)`;
  const reason = waitReason(w, w.threads.filter((t) => t.cpu >= ACTIVE_CPU || t.runnable > 0.3));
  return reason ? { ...base, text, reason } : { ...base, text };
}

function waitReason(w: StretchInput, active: ThreadStretch[]): { kind: WaitReason; text: string } | undefined {
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
  const byPid = new Map<number, ThreadStretch[]>();
  for (const t of w.threads) if (t.cpu >= CONTENDING_CPU) byPid.set(t.pid, [...(byPid.get(t.pid) ?? []), t]);
  for (const [pid, ts] of byPid) {
    const sum = ts.reduce((s, t) => s + t.cpu, 0);
    if (ts.length >= 2 && sum < 1.25 && idleCores >= 0.5) {
      const switches = ts.reduce((s, t) => s + t.switchesPerS, 0);
      // A GIL exists only in Python processes.
      const what = ts.some((t) => t.role === 'python-thread') ? 'GIL or lock contention' : 'Lock or I/O contention';
      return {
        kind: 'gil-or-lock',
        text: `${what}: ${ts.length} threads of pid ${pid} ready, together ${sum.toFixed(2)} cores busy, ${idleCores.toFixed(1)} core(s) idle${switches > 0 ? `, ${switches.toFixed(0)} context switches/s` : ''}`,
      };
    }
  }
  if (w.cores < 0.1 && active.length === 0 && w.threads.length > 0) {
    return { kind: 'io-wait', text: `Waiting: all ${w.threads.length} threads asleep (I/O or timers), ${w.cores.toFixed(2)} cores busy` };
  }
  return undefined;
}
