// What an attached program had already used when the run began watching it. /proc's counters are
// cumulative since each thread was born: a program attached to after a minute of work showed that
// minute as the run's — a first sample of thousands of cores, and a parallelism of 6.9 on a 2-core
// machine. The run's first reading is the baseline, and every figure of CPU is taken from it.
// A launched workload has none: it was born inside the run, and all its CPU is the run's.
import type { TrackedThread, TreeSample } from '../sampler/treeSampler';

export class CpuBeforeWatching {
  private treeCpuMs = 0;
  private userTicks = 0;
  private systemTicks = 0;
  /** Each thread's CPU at the first reading, by its store column (threads born later used none before). */
  private readonly threadCpuMs = new Map<number, number>();
  private taken = false;

  /** Records the first reading of an attached tree; later calls keep the first. */
  take(first: TreeSample, threads: readonly TrackedThread[]): void {
    if (this.taken) return;
    this.taken = true;
    this.treeCpuMs = first.treeCpuMs;
    this.userTicks = first.treeUserTicks;
    this.systemTicks = first.treeSystemTicks;
    for (const th of threads) if (th.alive) this.threadCpuMs.set(th.index, th.cpuMs);
  }

  /** The tree's CPU since watching began, in ms. */
  treeCpuSince(cumulativeMs: number): number {
    return Math.max(0, cumulativeMs - this.treeCpuMs);
  }

  userTicksSince(cumulative: number): number {
    return Math.max(0, cumulative - this.userTicks);
  }

  systemTicksSince(cumulative: number): number {
    return Math.max(0, cumulative - this.systemTicks);
  }

  /** A thread's CPU since watching began (all of it for a thread born since). */
  threadCpuSince(th: TrackedThread): number {
    return Math.max(0, th.cpuMs - (this.threadCpuMs.get(th.index) ?? 0));
  }
}
