// Which code: joins a run's stack samples (stackSamples.ts) with what the sampler measured — the
// phases, the flagged windows, the event loop's lag — and names the function behind each.
//
// - GIL: in a stretch where Python threads of one process took turns (interleaved/contended, or a
//   window flagged 'gil-or-lock'), the code that ran is the code that held the GIL: CPU time by
//   innermost frame, from each thread's own CPU clock between two stack samples (the probe reads
//   it with pthread_getcpuclockid). Threads that ran for a share of the stretch but not at a tick
//   waited for the GIL then; threads that hardly ran at all sat elsewhere (a lock, a join, a
//   queue), and where is named.
// - Blocked loop: for each late heartbeat (a lag event of L ms at t), the loop thread's samples
//   in [t − L, t] name the function that kept it busy, with its callers.
// - Waiting: suspended asyncio tasks' innermost frames (the await they wait at), and where
//   threads that used no CPU were.
// - Otherwise (serial, parallel, oversubscribed): the hottest code by CPU time.
//
// A sample's CPU weight: sampleWeights.ts.
import type { StackFrame, StackSamples } from './stackSamples';
import { frameText, isPseudoFrame } from './stackSamples';
import { SampleWeights, lowerBound } from './sampleWeights';
import type { Finding, Phase, RunSamples, WindowVerdict, WorkloadEvent } from './types';

/** Lag events at least this long are explained (the blocked-loop line in activityKind.ts). */
const BLOCKED_LAG_MS = 50;
const MAX_FINDINGS = 10_000;
const CALLERS = 3;
/** A thread that ran at least this share of a stretch competed for the GIL in it. */
const COMPETING_SHARE = 0.05;

export interface Attribution {
  findings: Finding[];
  phases: Phase[];
  windows: WindowVerdict[];
}

interface Pick {
  i: number[];
}

export function attribute(stacks: StackSamples, samples: RunSamples, phases: Phase[], windows: WindowVerdict[], events: WorkloadEvent[]): Attribution {
  const ctx = new Context(stacks, samples);
  const findings: Finding[] = [];
  const push = (f: Finding | null): Finding | null => {
    if (f && findings.length < MAX_FINDINGS) findings.push(f);
    return f;
  };

  const lagFindings: Finding[] = [];
  for (const e of events) {
    if (e.kind !== 'lag' || e.lagMs < BLOCKED_LAG_MS || e.pid === undefined) continue;
    const f = push(ctx.blocked(e.t - e.lagMs, e.t, e.pid, e.tid ?? e.pid));
    if (f) lagFindings.push(f);
  }

  const outPhases = phases.map((p) => {
    let f: Finding | null;
    if (p.kind === 'blocked') {
      // The longest block inside the phase speaks for it.
      f = lagFindings.filter((x) => x.toMs > p.fromMs && x.fromMs < p.toMs).sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs))[0] ?? null;
    } else {
      f = ctx.explain(p.kind, p.fromMs, p.toMs);
      // Start-up and wind-down keep their line (what the interpreter was importing) but are not
      // findings: the findings are about the program's work, as the headline is.
      if (p.kind !== 'startup' && p.kind !== 'winddown') push(f);
    }
    return f ? { ...p, code: f.text } : p;
  });

  const outWindows = windows.map((w) => {
    if (!w.reason) return w;
    const kind = w.reason.kind === 'gil-or-lock' ? 'interleaved' : w.reason.kind === 'event-loop-blocked' ? 'blocked-window' : w.reason.kind === 'io-wait' ? 'waiting' : 'contended';
    const f = kind === 'blocked-window' ? (lagFindings.find((x) => x.toMs > w.fromMs && x.fromMs < w.toMs) ?? null) : ctx.explain(kind, w.fromMs, w.toMs);
    return f ? { ...w, code: f.text } : w;
  });

  return { findings, phases: outPhases, windows: outWindows };
}

class Context {
  private readonly intervalMs: number;
  private readonly weights: SampleWeights;
  private readonly runtimeOf = new Map<number, 'python' | 'node'>();
  private readonly nameOf = new Map<number, string>();

  constructor(
    private readonly s: StackSamples,
    run: RunSamples,
  ) {
    this.weights = new SampleWeights(s, run);
    this.intervalMs = this.weights.intervalMs;
    for (const src of s.sources) this.runtimeOf.set(src.pid, src.runtime);
    for (let i = 0; i < s.t.length; i++) if (s.threadName[i] && !s.task[i]) this.nameOf.set(s.tid[i], s.threadName[i]);
  }

  /** CPU ms a thread sample stands for (sampleWeights.ts). */
  cpuOf(i: number): number {
    return this.weights.cpuOf(i);
  }

  running(i: number): boolean {
    return this.weights.running(i);
  }

  /** Sample indices in [from, to) matching `keep`. */
  select(from: number, to: number, keep: (i: number) => boolean): Pick {
    const out: number[] = [];
    for (let i = lowerBound(this.s.t, from); i < this.s.t.length && this.s.t[i] < to; i++) if (keep(i)) out.push(i);
    return { i: out };
  }

  leaf(i: number): number {
    const st = this.s.stacks[this.s.stack[i]];
    return st.length ? st[st.length - 1] : -1;
  }

  frame(id: number): StackFrame {
    return this.s.frames[id];
  }

  /** Callers of `leaf` in the most common stack that ends in it, innermost first. */
  callersOf(pick: Pick, leaf: number): StackFrame[] {
    const counts = new Map<number, number>();
    for (const i of pick.i) if (this.leaf(i) === leaf) counts.set(this.s.stack[i], (counts.get(this.s.stack[i]) ?? 0) + 1);
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    if (!best) return [];
    const st = this.s.stacks[best[0]];
    return st
      .slice(0, -1)
      .reverse()
      .map((id) => this.frame(id))
      .filter((fr) => !isPseudoFrame(fr))
      .slice(0, CALLERS);
  }

  threadName(tid: number): string {
    return this.nameOf.get(tid) || this.weights.runThreadName(tid) || `tid ${tid}`;
  }

  /** Weight per innermost frame over the picked samples, heaviest first. */
  byLeaf(pick: Pick, weight: (i: number) => number): { leaf: number; w: number }[] {
    const m = new Map<number, number>();
    for (const i of pick.i) {
      const l = this.leaf(i);
      if (l >= 0) m.set(l, (m.get(l) ?? 0) + weight(i));
    }
    return [...m.entries()].map(([leaf, w]) => ({ leaf, w })).sort((a, b) => b.w - a.w);
  }

  /** The loop thread's code while a heartbeat was late by `to − from` ms. */
  blocked(from: number, to: number, pid: number, tid: number): Finding | null {
    const pick = this.select(from, to, (i) => !this.s.task[i] && this.s.pid[i] === pid && (this.s.tid[i] === tid || this.s.tid[i] === 0));
    const ranked = this.byLeaf(pick, () => 1);
    if (!ranked.length) return null;
    const top = ranked[0];
    const f = this.frame(top.leaf);
    const callers = this.callersOf(pick, top.leaf);
    const share = top.w / pick.i.length;
    const called = callers.length ? ` (called from ${callers.slice(0, 2).map(frameText).join(', from ')})` : '';
    return {
      kind: 'blocked',
      fromMs: from,
      toMs: to,
      pid,
      tid,
      thread: this.threadName(tid),
      frame: f,
      callers,
      share,
      waiting: 0,
      text: `the event loop (pid ${pid}) was blocked ${Math.round(to - from)} ms in ${frameText(f)}${called}${share < 0.9 ? ` — ${pct(share)} of its samples` : ''}`,
    };
  }

  /** The code behind a stretch of kind `kind`. */
  explain(kind: string, from: number, to: number): Finding | null {
    if (to <= from) return null;
    const threads = this.select(from, to, (i) => !this.s.task[i]);
    if (!threads.i.length) return null;
    if (kind === 'waiting') return this.waiting(from, to, threads);
    if (kind === 'interleaved' || kind === 'contended') {
      const gil = this.gil(from, to, threads);
      if (gil) return gil;
    }
    return this.hot(from, to, threads);
  }

  /** Python threads of one process taking turns: who ran (held the GIL), and how many waited. */
  private gil(from: number, to: number, all: Pick): Finding | null {
    // The Python process with the most thread CPU in the stretch.
    const cpuByPid = new Map<number, number>();
    for (const i of all.i) if (this.runtimeOf.get(this.s.pid[i]) === 'python') cpuByPid.set(this.s.pid[i], (cpuByPid.get(this.s.pid[i]) ?? 0) + this.cpuOf(i));
    const pid = [...cpuByPid.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (pid === undefined) return null;
    const pick: Pick = { i: all.i.filter((i) => this.s.pid[i] === pid) };
    const tids = new Set(pick.i.map((i) => this.s.tid[i]));
    if (tids.size < 2) return null;
    const ranked = this.byLeaf(pick, (i) => this.cpuOf(i));
    const total = ranked.reduce((a, r) => a + r.w, 0);
    if (!ranked.length || total <= 0) return null;
    const top = ranked[0];
    const f = this.frame(top.leaf);
    const span = to - from;
    // Per thread: CPU in the top frame, as a share of the stretch.
    const perThread = new Map<number, number>();
    for (const i of pick.i) if (this.leaf(i) === top.leaf) perThread.set(this.s.tid[i], (perThread.get(this.s.tid[i]) ?? 0) + this.cpuOf(i));
    const holders = [...perThread.entries()].sort((a, b) => b[1] - a[1]);
    const [holderTid, holderMs] = holders[0];
    // Waiting for the GIL: threads that competed for it (ran for a real share of the stretch)
    // wanted to run all along, so on average (competing threads − the cores' worth they used)
    // of them waited. Counted over the stretch, not per sample: the probe itself needs the GIL
    // to sample, so its ticks are irregular behind busy threads (20–45 a second at 100 Hz), and
    // over a 30 ms gap both of two turn-taking threads ran. A thread that barely ran at all was
    // not competing: it sat elsewhere (the main thread in join(), a thread on a queue) — named apart.
    const cpuByTid = new Map<number, number>();
    for (const i of pick.i) cpuByTid.set(this.s.tid[i], (cpuByTid.get(this.s.tid[i]) ?? 0) + this.cpuOf(i));
    const competing = (tid: number): boolean => (cpuByTid.get(tid) ?? 0) >= COMPETING_SHARE * span;
    const competitors = [...cpuByTid.entries()].filter(([tid]) => competing(tid));
    const waiting = Math.max(0, Math.round(competitors.length - competitors.reduce((a, [, ms]) => a + ms, 0) / span));
    const elsewhere = pick.i.filter((i) => !competing(this.s.tid[i]));
    const elseLeaf = this.byLeaf({ i: elsewhere }, () => 1)[0];
    const elseTids = new Set(elsewhere.map((i) => this.s.tid[i]));
    const share = Math.min(1, holderMs / span);
    const others = holders.slice(1, 3).map(([tid, ms]) => `${this.threadName(tid)} ${pct(Math.min(1, ms / span))}`);
    const sat = elseLeaf ? `; ${elseTids.size === 1 ? `thread ${this.threadName([...elseTids][0])}` : `${elseTids.size} other threads`} sat in ${frameText(this.frame(elseLeaf.leaf))}` : '';
    return {
      kind: 'gil',
      fromMs: from,
      toMs: to,
      pid,
      tid: holderTid,
      thread: this.threadName(holderTid),
      frame: f,
      callers: this.callersOf(pick, top.leaf),
      share,
      waiting,
      text:
        `thread ${this.threadName(holderTid)} (pid ${pid}) ran ${frameText(f)} in ${pct(share)} of the time${others.length ? ` (${others.join(', ')} ran it too)` : ''}` +
        `${waiting ? `, ${waiting === 1 ? '1 thread' : `${waiting} threads`} waiting for the GIL meanwhile` : ''}${sat}`,
    };
  }

  /** The hottest code by CPU time. */
  private hot(from: number, to: number, pick: Pick): Finding | null {
    const ranked = this.byLeaf(pick, (i) => this.cpuOf(i));
    const total = ranked.reduce((a, r) => a + r.w, 0);
    if (!ranked.length || total <= 0) return null;
    const top = ranked[0];
    const f = this.frame(top.leaf);
    const inTop = pick.i.filter((i) => this.leaf(i) === top.leaf);
    const pids = [...new Set(inTop.map((i) => this.s.pid[i]))];
    const threads = new Set(inTop.map((i) => this.s.tid[i]));
    const busiest = this.busiestThread({ i: inTop });
    const share = top.w / total;
    const who = pids.length > 1 ? `${pids.length} processes` : threads.size > 1 ? `${threads.size} threads of pid ${pids[0]}` : `thread ${this.threadName(busiest)} (pid ${pids[0]})`;
    return {
      kind: 'hot',
      fromMs: from,
      toMs: to,
      pid: pids[0],
      tid: busiest,
      thread: this.threadName(busiest),
      frame: f,
      callers: this.callersOf(pick, top.leaf),
      share,
      waiting: 0,
      text: `${frameText(f)} used ${pct(share)} of the CPU (${who})`,
    };
  }

  /** Where the waiting was: suspended tasks' awaits first, else threads that used no CPU. */
  private waiting(from: number, to: number, threads: Pick): Finding | null {
    const tasks = this.select(from, to, (i) => this.s.task[i] === 1);
    const ticks = (pick: Pick) => new Set(pick.i.map((i) => Math.round(this.s.t[i] / this.intervalMs))).size || 1;
    const pick = tasks.i.length ? tasks : { i: threads.i.filter((i) => !this.running(i)) };
    const ranked = this.byLeaf(pick, () => 1);
    if (!ranked.length) return null;
    const top = ranked[0];
    const f = this.frame(top.leaf);
    const inTop = pick.i.filter((i) => this.leaf(i) === top.leaf);
    const count = Math.max(1, Math.round(inTop.length / ticks({ i: inTop })));
    const share = top.w / pick.i.length;
    const tid = inTop[0] !== undefined ? this.s.tid[inTop[0]] : 0;
    const pid = inTop[0] !== undefined ? this.s.pid[inTop[0]] : 0;
    const what = tasks.i.length ? (count === 1 ? '1 task' : `${count} tasks`) : count === 1 ? `thread ${this.threadName(tid)}` : `${count} threads`;
    return {
      kind: 'waiting',
      fromMs: from,
      toMs: to,
      pid,
      tid,
      thread: tasks.i.length ? 'asyncio tasks' : this.threadName(tid),
      frame: f,
      callers: this.callersOf(pick, top.leaf),
      share,
      waiting: count,
      text: `${what} waited in ${frameText(f)}${tasks.i.length ? ' (the await it is suspended at)' : ''}${share < 0.9 ? ` — ${pct(share)} of the waiting samples` : ''}`,
    };
  }

  private busiestThread(pick: Pick): number {
    const m = new Map<number, number>();
    for (const i of pick.i) m.set(this.s.tid[i], (m.get(this.s.tid[i]) ?? 0) + this.cpuOf(i));
    return [...m.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  }
}

const pct = (x: number): string => `${Math.round(100 * x)} %`;
