// A run's stack samples as the UI reads them (pure, no DOM): the function a thread was in at a
// moment (for the lanes' tooltip), and what a time range holds — per thread its top innermost
// functions, the suspended asyncio tasks grouped by the await they wait at, and the aggregated
// stacks of the range as a flame graph (icicle: callers above callees, widths = CPU time).
import { SampleWeights, lowerBound } from '../../shared/sampleWeights';
import { frameText, type StackFrame, type StackSamples } from '../../shared/stackSamples';
import type { RunSamples } from '../../shared/types';

/** One box of the flame graph, in the shape flame-chart-js draws (start/duration in the graph's units). */
export interface FlameNode {
  name: string;
  start: number;
  duration: number;
  color?: string;
  type?: string;
  children?: FlameNode[];
}

export interface TopFunction {
  frame: StackFrame;
  text: string;
  /** CPU ms (mode 'cpu') or samples (mode 'samples') in this function. */
  weight: number;
  /** Of the thread's weight in the range. */
  share: number;
}

export interface ThreadCode {
  /** The thread's key: its kernel tid, or its pid when the probe could not tell (Node's main thread). */
  tid: number;
  pid: number;
  name: string;
  samples: number;
  /** CPU the thread used in the range, by its own clock or the sampler's; NaN when neither knows. */
  cpuMs: number;
  /** 'cpu': shares are of CPU time; 'samples': of samples (no CPU known, or the thread used none: it waited). */
  mode: 'cpu' | 'samples';
  top: TopFunction[];
}

export interface TaskGroup {
  frame: StackFrame;
  text: string;
  samples: number;
  /** Tasks suspended there at once, on average over the samples that saw any. */
  tasks: number;
  share: number;
}

export interface RangeCode {
  fromMs: number;
  toMs: number;
  /** Thread samples (not task samples) in the range. */
  samples: number;
  threads: ThreadCode[];
  tasks: TaskGroup[];
  flame: FlameNode[];
  /** What the flame graph's widths are. */
  flameMode: 'cpu' | 'samples';
  /** The flame graph's whole width, in its units. */
  flameTotal: number;
}

/** Below this much CPU in a range (ms), a thread counts as having waited there. */
const IDLE_CPU_MS = 0.5;
/** Two samples of a thread at most this far apart bracket what it ran between them (the lanes' tooltip). */
const MAX_BRACKET_MS = 250;
/** Top functions listed per thread. */
const TOP_N = 3;
/** Flame boxes narrower than this share of the whole are left out (they are not drawn readably anyway). */
const FLAME_MIN_SHARE = 1 / 4000;

interface TreeNode {
  w: number;
  children: Map<number, TreeNode>;
}

export class StackIndex {
  readonly intervalMs: number;
  /** Thread samples (task 0) by thread key, in time order. */
  private readonly byThread = new Map<number, number[]>();
  /** The program's own name for each thread (Python's threading name, a Node worker's), by thread key. */
  private readonly ownNames = new Map<number, string>();

  /** What a sample weighs: the rule attribution.ts and the report use too (shared/sampleWeights.ts). */
  private readonly weights: SampleWeights | null;

  /**
   * @param run the run's per-thread CPU: the weight of a sample whose probe could not read the
   *   thread's own clock (null: such samples have no known weight, and the view counts samples).
   * @param nameOf the name the lanes give a thread, for threads the probe did not name.
   */
  constructor(
    readonly s: StackSamples,
    run: Pick<RunSamples, 't' | 'threads' | 'threadCpu'> | null,
    private readonly nameOf: (tid: number) => string | undefined = () => undefined,
  ) {
    this.weights = run ? new SampleWeights(s, run) : null;
    this.intervalMs = 1000 / Math.max(1, s.rateHz || 100);
    for (let i = 0; i < s.t.length; i++) {
      if (s.task[i]) continue;
      const k = this.threadKey(i);
      let list = this.byThread.get(k);
      if (!list) this.byThread.set(k, (list = []));
      list.push(i);
      if (s.threadName[i] && !this.ownNames.has(k)) this.ownNames.set(k, s.threadName[i]);
    }
  }

  /** The program's own name for a thread ('cpu-0' where the kernel says 'python3.11'), when its samples carry one. */
  threadName(tid: number): string | undefined {
    return this.ownNames.get(tid);
  }

  get count(): number {
    return this.s.t.length;
  }

  /** A sample's thread: its tid, or its pid when the probe could not tell (tid 0: a process's main thread). */
  threadKey(i: number): number {
    return this.s.tid[i] || this.s.pid[i];
  }

  leaf(i: number): number {
    const st = this.s.stacks[this.s.stack[i]];
    return st && st.length ? st[st.length - 1] : -1;
  }

  /** CPU ms a thread sample stands for, NaN when nothing says. */
  cpuOf(i: number): number {
    if (this.weights) return this.weights.cpuOf(i);
    const c = this.s.cpuMs[i];
    // Over JSON a NaN arrives as null: Number.isFinite says no to both.
    return Number.isFinite(c) ? c : NaN;
  }

  /**
   * The innermost frame of `tid`'s sample nearest `tMs`, when one was taken within a couple of
   * sampling intervals of it (else the thread was not sampled then: nothing is claimed).
   */
  frameAt(tid: number, tMs: number): StackFrame | undefined {
    const list = this.byThread.get(tid);
    if (!list?.length) return undefined;
    const t = this.s.t;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[list[mid]] < tMs) lo = mid + 1;
      else hi = mid;
    }
    let best = -1;
    for (const k of [lo - 1, lo]) if (k >= 0 && k < list.length && (best < 0 || Math.abs(t[list[k]] - tMs) < Math.abs(t[list[best]] - tMs))) best = k;
    if (best < 0) return undefined;
    // Between two samples of the thread, the nearer one speaks for the moment: a Python probe
    // samples from a thread of its own that needs the GIL too, so under contention its samples
    // come tens of ms apart, not at the rate it aimed at. Outside them (before the thread's first
    // sample, after its last) only a sample a couple of intervals away does.
    const between = lo > 0 && lo < list.length && t[list[lo]] - t[list[lo - 1]] <= MAX_BRACKET_MS;
    if (!between && Math.abs(t[list[best]] - tMs) > Math.max(2.5 * this.intervalMs, 25)) return undefined;
    const leaf = this.leaf(list[best]);
    return leaf >= 0 ? this.s.frames[leaf] : undefined;
  }

  private nameAt(i: number, k: number): string {
    return this.s.threadName[i] || this.nameOf(k) || `tid ${k}`;
  }

  /** What the samples in [fromMs, toMs) say. */
  range(fromMs: number, toMs: number): RangeCode {
    const s = this.s;
    const threadSamples: number[] = [];
    const taskSamples: number[] = [];
    for (let i = lowerBound(s.t, fromMs); i < s.t.length && s.t[i] < toMs; i++) (s.task[i] ? taskSamples : threadSamples).push(i);

    // Per thread.
    const perThread = new Map<number, number[]>();
    for (const i of threadSamples) {
      const k = this.threadKey(i);
      let list = perThread.get(k);
      if (!list) perThread.set(k, (list = []));
      list.push(i);
    }
    const threads: ThreadCode[] = [];
    for (const [k, list] of perThread) {
      const cpu = list.map((i) => this.cpuOf(i));
      const known = cpu.every((c) => Number.isFinite(c));
      const cpuMs = known ? cpu.reduce((a, b) => a + b, 0) : NaN;
      const mode: 'cpu' | 'samples' = known && cpuMs >= IDLE_CPU_MS ? 'cpu' : 'samples';
      const byLeaf = new Map<number, number>();
      list.forEach((i, j) => {
        const leaf = this.leaf(i);
        if (leaf >= 0) byLeaf.set(leaf, (byLeaf.get(leaf) ?? 0) + (mode === 'cpu' ? cpu[j] : 1));
      });
      const total = [...byLeaf.values()].reduce((a, b) => a + b, 0) || 1;
      const top = [...byLeaf.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, TOP_N)
        .filter(([, w]) => w > 0)
        .map(([leaf, w]) => ({ frame: s.frames[leaf], text: frameText(s.frames[leaf]), weight: w, share: w / total }));
      const named = list.find((i) => s.threadName[i]) ?? list[0];
      threads.push({ tid: k, pid: s.pid[list[0]], name: this.nameAt(named, k), samples: list.length, cpuMs, mode, top });
    }
    // Busiest first; threads that only waited after them, most sampled first.
    threads.sort((a, b) => (Number.isFinite(b.cpuMs) ? b.cpuMs : -1) - (Number.isFinite(a.cpuMs) ? a.cpuMs : -1) || b.samples - a.samples || a.tid - b.tid);

    // Suspended asyncio tasks, by the await they wait at.
    const taskTicks = new Map<number, Set<number>>();
    const taskCount = new Map<number, number>();
    for (const i of taskSamples) {
      const leaf = this.leaf(i);
      if (leaf < 0) continue;
      taskCount.set(leaf, (taskCount.get(leaf) ?? 0) + 1);
      let ticks = taskTicks.get(leaf);
      if (!ticks) taskTicks.set(leaf, (ticks = new Set()));
      ticks.add(Math.round(s.t[i] / this.intervalMs));
    }
    const taskTotal = [...taskCount.values()].reduce((a, b) => a + b, 0) || 1;
    const tasks: TaskGroup[] = [...taskCount.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([leaf, n]) => ({ frame: s.frames[leaf], text: frameText(s.frames[leaf]), samples: n, tasks: n / Math.max(1, taskTicks.get(leaf)!.size), share: n / taskTotal }));

    const { flame, mode: flameMode, total: flameTotal } = this.flame(threadSamples, threads);
    return { fromMs, toMs, samples: threadSamples.length, threads, tasks, flame, flameMode, flameTotal };
  }

  /**
   * The range's stacks aggregated per thread (one top box each, the busiest leftmost), callers
   * above their callees, each box as wide as the CPU time spent in it and below it; by samples
   * when the CPU is not known for every sample or none was used (then it shows where threads waited).
   */
  private flame(samples: number[], threads: ThreadCode[]): { flame: FlameNode[]; mode: 'cpu' | 'samples'; total: number } {
    const cpu = samples.map((i) => this.cpuOf(i));
    const cpuTotal = cpu.reduce((a, b) => a + b, 0);
    const mode: 'cpu' | 'samples' = Number.isFinite(cpuTotal) && cpuTotal >= IDLE_CPU_MS ? 'cpu' : 'samples';
    const roots = new Map<number, TreeNode>();
    samples.forEach((i, j) => {
      const w = mode === 'cpu' ? cpu[j] : 1;
      if (!(w > 0)) return;
      const k = this.threadKey(i);
      let node: TreeNode | undefined = roots.get(k);
      if (!node) roots.set(k, (node = { w: 0, children: new Map() }));
      node.w += w;
      for (const f of this.s.stacks[this.s.stack[i]] ?? []) {
        let child: TreeNode | undefined = node.children.get(f);
        if (!child) node.children.set(f, (child = { w: 0, children: new Map() }));
        child.w += w;
        node = child;
      }
    });
    const total = [...roots.values()].reduce((a, r) => a + r.w, 0);
    const min = total * FLAME_MIN_SHARE;
    const build = (children: Map<number, TreeNode>, start: number): FlameNode[] => {
      const out: FlameNode[] = [];
      let x = start;
      for (const [f, n] of [...children.entries()].sort((a, b) => b[1].w - a[1].w)) {
        if (n.w < min) break;
        const frame = this.s.frames[f];
        const kids = build(n.children, x);
        out.push({ name: frameText(frame), start: x, duration: n.w, color: frameColor(frame), ...(kids.length ? { children: kids } : {}) });
        x += n.w;
      }
      return out;
    };
    const names = new Map(threads.map((t) => [t.tid, t.name]));
    const flame: FlameNode[] = [];
    let x = 0;
    for (const [k, n] of [...roots.entries()].sort((a, b) => b[1].w - a[1].w)) {
      if (n.w < min) break;
      const kids = build(n.children, x);
      flame.push({ name: `thread ${names.get(k) ?? k} (tid ${k})`, start: x, duration: n.w, color: '#cbd5e1', ...(kids.length ? { children: kids } : {}) });
      x += n.w;
    }
    return { flame, mode, total };
  }
}

/** A pale colour per source file (the same file, the same colour), dark text readable on it. */
export function frameColor(f: StackFrame): string {
  let h = 0;
  for (let i = 0; i < f.file.length; i++) h = (h * 31 + f.file.charCodeAt(i)) >>> 0;
  // Warm hues (reds to yellows) for the program's code, as flame graphs are usually drawn.
  const hue = 8 + (h % 48);
  const light = 70 + ((h >> 8) % 12);
  return `hsl(${hue}, 85%, ${light}%)`;
}
