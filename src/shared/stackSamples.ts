// Stack samples of a run: which code each thread of the workload was in, sampled over time, from
// the probes CoreScope puts into the programs it launches (Python: a sitecustomize sampling every
// thread's frames in-process; Node.js: V8's CPU profile of each thread). Pure data, columnar like
// the run's samples, with frames and stacks interned (a 60 s run at 100 Hz over a few threads is
// tens of thousands of samples sharing a few hundred frames). The probes' readers fill it through
// StackSamplesBuilder; attribution.ts joins it with the per-thread CPU the sampler measured.

import type { StoredStackSamples } from './types';

/** One function in the program: its name, the file it is in, and the line the sample was at. */
export interface StackFrame {
  name: string;
  file: string;
  /** The line being run in that function (Python) or the function's own line (V8); 0 unknown. */
  line: number;
}

/** Where a probe ran and what it managed: one per process it sampled, or that it failed in. */
export interface StackSource {
  pid: number;
  runtime: 'python' | 'node';
  /** Samples it contributed. */
  samples: number;
  /** CPU the probe itself used inside that process, in ms (its cost to the program), when it could tell. */
  probeCpuMs?: number;
  /** Why it has fewer than expected, or none (a probe that failed disables itself and says so here). */
  note?: string;
}

/**
 * What one sample is of:
 * - 'thread': a thread's own stack (what it was running, or the call it was blocked in);
 * - 'task': a suspended asyncio task's stack, innermost frame at the `await` it waits on (the
 *   thread running the loop is elsewhere: in the loop's select, or running another task).
 */
export type StackSampleKind = 'thread' | 'task';

export interface StackSamples {
  /** Interned frames. */
  frames: StackFrame[];
  /** Interned stacks: frame indices, outermost call first, innermost (the running code) last. */
  stacks: number[][];
  /** One entry per sample in each column below, in time order. */
  t: number[];
  pid: number[];
  /** The kernel's thread id (as in /proc/<pid>/task/<tid>); 0 when the probe could not tell. */
  tid: number[];
  /** Index into `stacks`. */
  stack: number[];
  /**
   * CPU the thread used since its previous sample, in ms, as the thread's own clock says; NaN
   * when the probe cannot read it (the join with the sampler's per-thread CPU then decides
   * whether the thread was on a core).
   */
  cpuMs: number[];
  /** 0 = a thread's stack, 1 = a suspended asyncio task's stack (see StackSampleKind). */
  task: number[];
  /** The Python thread's or Node worker's own name for the thread, per sample ('' unknown). */
  threadName: string[];
  /** Samples per second each probe aimed at. */
  rateHz: number;
  sources: StackSource[];
}

export interface StackSampleInput {
  t: number;
  pid: number;
  tid: number;
  /** Outermost call first. */
  frames: StackFrame[];
  cpuMs?: number;
  kind?: StackSampleKind;
  threadName?: string;
}

/** Builds StackSamples one sample at a time, interning frames and stacks; sorts by time at the end. */
export class StackSamplesBuilder {
  private readonly out: StackSamples;
  private readonly frameIds = new Map<string, number>();
  private readonly stackIds = new Map<string, number>();

  constructor(rateHz: number) {
    this.out = { frames: [], stacks: [], t: [], pid: [], tid: [], stack: [], cpuMs: [], task: [], threadName: [], rateHz, sources: [] };
  }

  frameId(f: StackFrame): number {
    const key = `${f.name}\u0000${f.file}\u0000${f.line}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.out.frames.length;
      this.out.frames.push({ name: f.name, file: f.file, line: f.line });
      this.frameIds.set(key, id);
    }
    return id;
  }

  stackId(frameIds: number[]): number {
    const key = frameIds.join(',');
    let id = this.stackIds.get(key);
    if (id === undefined) {
      id = this.out.stacks.length;
      this.out.stacks.push(frameIds.slice());
      this.stackIds.set(key, id);
    }
    return id;
  }

  /** Adds a sample whose stack is given by frame ids already interned (the readers' fast path). */
  addInterned(t: number, pid: number, tid: number, frameIds: number[], cpuMs = NaN, kind: StackSampleKind = 'thread', threadName = ''): void {
    const o = this.out;
    o.t.push(t);
    o.pid.push(pid);
    o.tid.push(tid);
    o.stack.push(this.stackId(frameIds));
    o.cpuMs.push(cpuMs);
    o.task.push(kind === 'task' ? 1 : 0);
    o.threadName.push(threadName);
  }

  add(s: StackSampleInput): void {
    this.addInterned(
      s.t,
      s.pid,
      s.tid,
      s.frames.map((f) => this.frameId(f)),
      s.cpuMs,
      s.kind,
      s.threadName,
    );
  }

  source(s: StackSource): void {
    this.out.sources.push(s);
  }

  get count(): number {
    return this.out.t.length;
  }

  /** The samples, in time order (probes of several processes are read one after another). */
  build(): StackSamples {
    const o = this.out;
    const order = o.t.map((_, i) => i).sort((a, b) => o.t[a] - o.t[b]);
    const pick = <T>(col: T[]): T[] => order.map((i) => col[i]);
    return { ...o, t: pick(o.t), pid: pick(o.pid), tid: pick(o.tid), stack: pick(o.stack), cpuMs: pick(o.cpuMs), task: pick(o.task), threadName: pick(o.threadName) };
  }
}

/** The frame a sample was running (innermost), or undefined for an empty stack. */
export function leafFrame(s: StackSamples, i: number): StackFrame | undefined {
  const st = s.stacks[s.stack[i]];
  return st.length ? s.frames[st[st.length - 1]] : undefined;
}

/** "count() at work.py:12": a frame as the user reads it, the file cut to its last two parts. */
export function frameText(f: StackFrame): string {
  // V8's pseudo-frames, "(program)", "(garbage collector)": no file, and no call parentheses.
  if (isPseudoFrame(f)) return f.name;
  // A function of the runtime itself (V8's runMicrotasks): no file to name.
  if (!f.file) return `${f.name}()`;
  const file = f.file.split('/').slice(-2).join('/');
  return `${f.name}() at ${file}${f.line > 0 ? `:${f.line}` : ''}`;
}

/** A frame that is not code of the program: V8's "(root)", "(program)", "(idle)", "(garbage collector)". */
export function isPseudoFrame(f: StackFrame): boolean {
  return !f.file && f.name.startsWith('(');
}

// The interface above and the session schema's stackSamplesSchema describe one shape: a change
// to one that the other does not follow fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<StackSamples, StoredStackSamples> = true;
void sameShape;
