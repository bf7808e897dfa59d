// The verdict of a run in plain words, read from its phases: the kind that held most of the run
// after start-up (or "mixed", with the split), the phases named in order, and "borderline" where
// the deciding number lay within the run-to-run spread of its line.
import { mergeActivity, type Activity } from './activity';
import { decidingLine, PARALLEL_MIN, WAITING_MAX } from './activityKind';
import { round1, round3 } from './metrics';
import type { PhaseOf } from './phases';
import type { LagStats, Phase, PhaseKind, RunResult, Verdict, VerdictKind } from './types';

export { BLOCKED_LAG_MS, PARALLEL_MIN, WAITING_MAX } from './activityKind';

/** A kind must hold a majority of the run after start-up to be its headline; else the run is mixed. */
export const DOMINANT_SHARE = 0.5;
/**
 * How far a deciding number may move from one run of the same program to the next, measured by
 * the verdict corpus (test/integration/verdictCorpus.test.ts, five runs of each program on a quiet
 * 2-core machine, 2 December 2026; the README's table): the dominant phase's cores moved by at
 * most ±0.06 (xz -T2 1.84–1.91, pigz 1.78–1.89, make -j2 1.70–1.88 ±0.09 the widest, gzip
 * 0.92–0.93), waiting phases by ±0.01, and the dominant kind's share of the run by ±0.06 within one session (sort
 * --parallel=2: 0.50–0.62; 0.50–0.80 across sessions, when it is said borderline or not). The margins are about twice those: a reading inside one could have
 * gone the other way on another run, so the verdict says so.
 */
export const CORES_MARGIN = 0.12;
export const WAITING_MARGIN = 0.05;
export const SHARE_MARGIN = 0.15;
/** Other programs' load worth mentioning, in cores. */
export const NOTABLE_OTHER_LOAD = 0.3;

/** The kinds a headline can be: start-up and wind-down are not the workload's behaviour. */
type Judged = Exclude<PhaseKind, 'startup' | 'winddown'>;

export interface VerdictInput {
  phases: readonly PhaseOf[];
  coreCount: number;
  lag: LagStats | null;
}

const f2 = (x: number): string => x.toFixed(2);
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** A phase for the result: its span, figures, and the evidence in words. */
export function describePhase(p: PhaseOf): Phase {
  const a = p.activity;
  return {
    kind: p.kind,
    fromMs: round1(a.fromMs),
    toMs: round1(a.toMs),
    cores: round3(a.cores),
    demand: round3(a.demand),
    otherCores: round3(a.otherCores),
    threads: Math.round(a.activeThreads * 10) / 10,
    tasks: a.tasksInFlight,
    text: phaseText(p.kind, a),
  };
}

function phaseText(kind: PhaseKind, a: Activity): string {
  const tasks = a.tasksInFlight >= 2 ? `, ${a.tasksInFlight} tasks in flight` : '';
  switch (kind) {
    case 'winddown':
      return `wind-down after the last task (${f2(a.cores)} cores)`;
    case 'startup':
      return `start-up on ${f2(a.cores)} cores${a.processesBorn >= 2 ? ` (${a.processesBorn} processes started)` : ''}`;
    case 'serial':
      return `serial on one thread at a time (${f2(a.cores)} cores)`;
    case 'interleaved':
      return a.turnTakers && a.turnTaking > 0.5
        ? `${a.turnTakers.threads} threads of pid ${a.turnTakers.pid} took turns on ~1 core (${f2(a.cores)} cores)`
        : `${a.tasksInFlight} tasks took turns on one thread (${f2(a.cores)} cores)`;
    case 'parallel':
      return `parallel on ~${a.cores.toFixed(1)} cores${tasks}`;
    case 'waiting':
      return `mostly waiting (${f2(a.cores)} cores${tasks}; ${waitedIn(a)})`;
    case 'blocked':
      return `event loop blocked (heartbeats up to ${(a.lagMaxMs ?? 0).toFixed(0)} ms late, ${f2(a.cores)} cores)`;
    case 'contended':
      return `contended: wanted ${f2(a.demand)} cores, got ${f2(a.cores)}${a.otherCores >= NOTABLE_OTHER_LOAD ? ` (other programs held ${f2(a.otherCores)})` : ''}`;
  }
}

/** Where the threads were when not on a core: asleep (timers, sockets, locks), in disk wait, queued. */
function waitedIn(a: Activity): string {
  const parts = [`threads asleep ${pct(a.asleep)} of the time`];
  if (a.diskWait >= 0.02) parts.push(`in disk wait ${pct(a.diskWait)}`);
  if (a.queued >= 0.02) parts.push(`queued for a core ${pct(a.queued)}`);
  if (a.iowaitCores >= 0.05) parts.push(`machine iowait ${f2(a.iowaitCores)} cores`);
  return parts.join(', ');
}

/** "0.42 s start-up on 1.00 cores → 1.50 s mostly waiting (…)". */
export function phaseSequence(phases: readonly Phase[]): string {
  return phases.map((p) => `${secs(p.toMs - p.fromMs)} ${p.text}`).join(' → ');
}

export function runVerdict(v: VerdictInput): Verdict {
  const phases = v.phases;
  if (phases.length === 0) return { kind: 'waiting', text: 'Too short to judge: no full sample was taken.' };
  // Start-up and wind-down are not the workload's behaviour; judge what lies between (all of it if nothing does).
  const judged = phases.filter((p) => p.kind !== 'startup' && p.kind !== 'winddown');
  const body = judged.length ? judged : phases.map((p) => ({ ...p, kind: 'serial' as const }));
  const total = body.reduce((s, p) => s + dur(p.activity), 0) || 1;
  const byKind = new Map<Judged, PhaseOf[]>();
  for (const p of body) {
    const k = p.kind as Judged;
    byKind.set(k, [...(byKind.get(k) ?? []), p]);
  }
  const shares = [...byKind.entries()]
    .map(([kind, ps]) => ({ kind, share: ps.reduce((s, p) => s + dur(p.activity), 0) / total, activity: mergeActivity(ps.map((p) => p.activity)) }))
    .sort((a, b) => b.share - a.share);
  const top = shares[0];
  const kind: VerdictKind = top.share >= DOMINANT_SHARE ? top.kind : 'mixed';
  const head = kind === 'mixed' ? `Mixed: ${shares.map((s) => `${pct(s.share)} ${s.kind}`).join(', ')}.` : headline(top.kind, top.activity, top.share, v);
  const seq = `Phases: ${phaseSequence(phases.map(describePhase))}.`;
  const whole = mergeActivity(body.map((p) => p.activity));
  const busy = busyMachine(kind, whole, v.coreCount);
  const borderline = borderlineOf(kind, top);
  const edge = borderline
    ? ` Borderline: ${borderline.what} ${f2(borderline.value)} is within ${f2(borderline.margin)} of the ${f2(borderline.line)} line; another run could read ${borderline.other}.`
    : '';
  return { kind, text: `${head}${busy}${edge} ${seq}`, ...(borderline ? { borderline } : {}) };
}

/** A serial stretch whose busiest thread used less than this share of a core was many threads' work, one after another. */
const HANDED_ON_BELOW = 0.5;

function headline(kind: Judged, a: Activity, share: number, v: VerdictInput): string {
  const of = share < 0.995 ? ` for ${pct(share)} of the run after start-up` : '';
  switch (kind) {
    case 'parallel':
      return `Parallel: ~${a.cores.toFixed(1)} of ${v.coreCount} cores busy at once${of} — the work really ran at the same time.`;
    case 'serial':
      // "then" where other phases exist: a run whose serial part dominates may still have had a parallel one.
      // No thread near a core: the work passed from one short-lived thread or process to the next (make, a shell script).
      return a.topThreadCores >= HANDED_ON_BELOW
        ? `Serial on one thread: ${f2(a.cores)} cores busy${of}, the busiest thread at ${f2(a.topThreadCores)} — nothing ran in parallel${of ? ' then' : ''}.`
        : `Serial, one core at a time: ${f2(a.cores)} cores busy${of}, handed from thread to thread (the busiest at ${f2(a.topThreadCores)}) — little ran in parallel${of ? ' then' : ''}.`;
    case 'interleaved':
      return a.turnTakers && a.turnTaking > 0.5
        ? `Interleaved (took turns): ${a.turnTakers.threads} threads of pid ${a.turnTakers.pid} ran in turns on ~1 core (${f2(a.cores)} cores busy)${of} — concurrency without parallelism, as a GIL or a lock allows.`
        : `Interleaved on one thread: ${a.tasksInFlight} tasks in flight took turns on ~1 core (${f2(a.cores)} cores busy)${of} — concurrency without parallelism.`;
    case 'waiting':
      return a.tasksInFlight >= 2
        ? `Mostly waiting (I/O concurrency): ${f2(a.cores)} cores busy${of} with ${a.tasksInFlight} tasks in flight — they overlapped while waiting, not while computing (${waitedIn(a)}).`
        : `Mostly waiting: ${f2(a.cores)} cores busy${of} — the workload waited (sleep, I/O or timers), not computed (${waitedIn(a)}).`;
    case 'blocked':
      return v.lag
        ? `Event loop blocked: heartbeats fired up to ${v.lag.maxMs.toFixed(0)} ms late (p99 ${v.lag.p99Ms.toFixed(0)} ms) while the loop's thread computed (${f2(a.cores)} cores busy)${of} — everything else waited its turn.`
        : `Event loop blocked (${f2(a.cores)} cores busy)${of}.`;
    case 'contended':
      return a.otherCores >= NOTABLE_OTHER_LOAD
        ? `Contended — the machine was too busy for its parallelism to show: the threads wanted ${f2(a.demand)} cores at once but got ${f2(a.cores)}${of}, while other programs held ${f2(a.otherCores)} of ${v.coreCount} cores.`
        : `Contended: the threads wanted ${f2(a.demand)} cores at once but got ${f2(a.cores)}${of} — more threads were runnable than there were cores.`;
  }
}

/** Where other programs left too little free for parallelism to show, say so instead of implying the program is serial. */
function busyMachine(kind: VerdictKind, whole: Activity, coreCount: number): string {
  const free = coreCount - whole.otherCores;
  if (whole.otherCores < NOTABLE_OTHER_LOAD) return '';
  if ((kind === 'serial' || kind === 'interleaved') && free < PARALLEL_MIN) {
    return ` Other programs held ${f2(whole.otherCores)} of ${coreCount} cores: parallelism could not have shown.`;
  }
  return ` Other programs used ${f2(whole.otherCores)} of ${coreCount} cores meanwhile.`;
}

function borderlineOf(kind: VerdictKind, top: { kind: Judged; share: number; activity: Activity }): Verdict['borderline'] {
  // The share that made (or missed) a dominant kind.
  if (Math.abs(top.share - DOMINANT_SHARE) < SHARE_MARGIN && top.share < 0.995) {
    return { value: top.share, line: DOMINANT_SHARE, margin: SHARE_MARGIN, other: kind === 'mixed' ? top.kind : 'mixed', what: `the ${top.kind} share` };
  }
  if (kind === 'mixed') return undefined;
  const line = decidingLine(top.activity, top.kind);
  if (!line) return undefined;
  const margin = line.line === WAITING_MAX ? WAITING_MARGIN : CORES_MARGIN;
  if (Math.abs(line.value - line.line) >= margin) return undefined;
  return { value: line.value, line: line.line, margin, other: line.other, what: line.what };
}

const dur = (a: Activity): number => Math.max(0, a.toMs - a.fromMs);

/**
 * A run whose program exited with an error or was killed by a signal not ours gets no verdict on
 * its concurrency: the phases it went through are still listed. Runs we ended (timeout, cancel)
 * are judged on what they did until then.
 */
export function failedVerdict(exit: RunResult['exit'], wallMs: number, phases: readonly Phase[]): Verdict | null {
  // Code and signal both unknown: an attached program, whose exit is not ours to see.
  if (exit.reason !== 'exited' || (exit.code === 0 && !exit.signal) || (exit.code === null && !exit.signal)) return null;
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const seq = phases.length ? ` What it did before: ${phaseSequence(phases)}.` : '';
  return { kind: 'failed', text: `Failed (${how}) after ${secs(wallMs)} — not judged: a program that did not finish its work says nothing about how it uses cores; see its stderr.${seq}` };
}
