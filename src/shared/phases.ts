// A run, cut into the contiguous phases it went through — start-up, serial compute, parallel,
// waiting, a blocked loop, contention — from its samples alone (100 ms activity bins), with the
// workload's events refining the cut where it sent any.
//
// Why this method: programs change behaviour at a few instants (the interpreter is up, the
// workers start, the input is read) and are steady in between, which is exactly the model of
// change-point detection: piecewise-constant means plus noise. We find the partition that
// minimises the within-phase squared error of the bins' (cores used, cores wanted, turn-taking,
// processes starting)
// plus a penalty per phase — optimal partitioning (Jackson et al. 2005), exact by dynamic
// programming — instead of thresholding bin by bin, which flickers wherever a series hovers near
// a line. The penalty is BIC's: (features + 1) · ln(n) on noise-normalised errors, so a phase is
// only added when the split explains more than noise would. A minimum phase length of 300 ms
// keeps a burst of a few samples from being a phase; it is also about the shortest start-up that
// matters (a pyenv shim takes 0.3–0.4 s here). Each phase is then judged by activityKind on its
// summed evidence, and neighbours judged alike are joined.
import { mergeActivity, type Activity } from './activity';
import { activityKind, PARALLEL_MIN, WAITING_MAX } from './activityKind';
import type { PhaseKind } from './types';

/** Width of one activity bin. */
export const BIN_MS = 100;
/** The shortest phase, in bins. */
export const MIN_PHASE_BINS = 3;
/** Above this many bins, bins are pooled first so the O(n²) partition stays in milliseconds. */
const MAX_BINS = 1500;

export interface PhaseOf {
  kind: PhaseKind;
  activity: Activity;
}

/**
 * Feature scales: differences smaller than these are noise for our purposes — a tenth of a core;
 * for the two yes/no features (threads taking turns, processes starting), a third of the bins
 * flipping.
 */
const MIN_SCALE = [0.1, 0.1, 0.3, 0.3];

/**
 * What a phase is cut on: cores used, cores wanted, threads taking turns, and whether processes
 * were starting — a launcher or shim forking its helpers is how a start-up looks, and the moment
 * it stops is the moment the program proper begins.
 */
function features(a: Activity): number[] {
  return [a.cores, a.demand, a.turnTaking, a.processesBorn > 0 ? 1 : 0];
}

/** Optimal partition of bins into segments (start indices, ascending, first = 0). */
export function changePoints(bins: readonly Activity[], minLen = MIN_PHASE_BINS): number[] {
  const n = bins.length;
  if (n < 2 * minLen) return n ? [0] : [];
  const x = bins.map(features);
  const d = x[0].length;
  const scale = noiseScales(x).map((s, k) => Math.max(s, MIN_SCALE[k]));
  // Prefix sums of the normalised features and their squares: any segment's cost in O(d).
  const s1 = Array.from({ length: d }, () => new Float64Array(n + 1));
  const s2 = Array.from({ length: d }, () => new Float64Array(n + 1));
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const v = x[i][k] / scale[k];
      s1[k][i + 1] = s1[k][i] + v;
      s2[k][i + 1] = s2[k][i] + v * v;
    }
  }
  const cost = (a: number, b: number): number => {
    let c = 0;
    const len = b - a;
    for (let k = 0; k < d; k++) {
      const sum = s1[k][b] - s1[k][a];
      c += s2[k][b] - s2[k][a] - (sum * sum) / len;
    }
    return c;
  };
  const penalty = (d + 1) * Math.log(n);
  const best = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1).fill(-1);
  best[0] = -penalty;
  for (let t = minLen; t <= n; t++) {
    for (let s = 0; s <= t - minLen; s++) {
      if (best[s] === Infinity) continue;
      const v = best[s] + cost(s, t) + penalty;
      if (v < best[t]) {
        best[t] = v;
        from[t] = s;
      }
    }
  }
  const starts: number[] = [];
  for (let t = n; t > 0; t = from[t]) {
    if (from[t] < 0) return [0];
    starts.push(from[t]);
  }
  return starts.reverse();
}

/** Per-feature noise, from the median absolute difference of neighbours (robust to the changes themselves). */
function noiseScales(x: number[][]): number[] {
  const d = x[0].length;
  return Array.from({ length: d }, (_, k) => {
    const diffs = x.slice(1).map((row, i) => Math.abs(row[k] - x[i][k])).sort((a, b) => a - b);
    const mad = diffs.length ? diffs[Math.floor(diffs.length / 2)] : 0;
    // MAD/0.6745 estimates σ of a difference, which is √2 σ of a value.
    return mad / 0.6745 / Math.SQRT2;
  });
}

/** Pools consecutive bins `k` at a time (long runs). */
function pool(bins: readonly Activity[], k: number): Activity[] {
  const out: Activity[] = [];
  for (let i = 0; i < bins.length; i += k) out.push(mergeActivity(bins.slice(i, i + k)));
  return out;
}

export interface PhaseOptions {
  /** When the workload's first task started and its last task ended (its events), if it reported tasks. */
  firstTaskMs?: number | null;
  lastTaskEndMs?: number | null;
}

/** The run's phases, in order, covering every bin. */
export function segmentPhases(allBins: readonly Activity[], opts: PhaseOptions = {}): PhaseOf[] {
  if (allBins.length === 0) return [];
  const bins = allBins.length > MAX_BINS ? pool(allBins, Math.ceil(allBins.length / MAX_BINS)) : [...allBins];
  // Events know when the work began: everything before the first task is start-up, and so is
  // the bin the first task started in — the interpreter was busy importing right up to that
  // instant, and in a short task phase (20 sleeps of 300 ms: three bins) that bin's start-up CPU
  // alone read 0.27 cores of "serial" work on a clean clone. A bin is 100 ms: the work loses at
  // most that much of its beginning, which moves no verdict.
  const firstTask = opts.firstTaskMs ?? null;
  const afterFirst = firstTask === null ? -1 : bins.findIndex((b) => b.fromMs >= firstTask);
  const split = firstTask === null ? 0 : afterFirst > 0 && afterFirst < bins.length - 1 ? afterFirst : bins.findIndex((b) => b.toMs > firstTask);
  // …and everything after the last task ended is wind-down (the interpreter exiting).
  const lastEnd = opts.lastTaskEndMs ?? null;
  const tailAt = lastEnd === null ? -1 : bins.findIndex((b) => b.fromMs >= lastEnd);
  const tail: PhaseOf[] = tailAt > Math.max(0, split) ? [{ kind: 'winddown', activity: mergeActivity(bins.slice(tailAt)) }] : [];
  const body = tail.length ? bins.slice(0, tailAt) : bins;
  let phases: PhaseOf[];
  if (split >= 1) {
    phases = [{ kind: 'startup', activity: mergeActivity(body.slice(0, split)) }, ...judged(body.slice(split))];
  } else {
    phases = markStartup(judged(body));
  }
  return [...phases, ...tail];
}

function judged(bins: Activity[]): PhaseOf[] {
  const starts = changePoints(bins);
  const out: PhaseOf[] = [];
  starts.forEach((s, i) => {
    const part = bins.slice(s, starts[i + 1] ?? bins.length);
    const activity = mergeActivity(part);
    const kind = activityKind(activity);
    const prev = out[out.length - 1];
    if (prev && prev.kind === kind) {
      prev.activity = mergeActivity([prev.activity, activity]);
    } else {
      out.push({ kind, activity });
    }
  });
  return out;
}

/**
 * Start-up, from samples alone: a leading phase that used at most one core while the program was
 * still starting processes — a launcher or shim forking its helpers, an interpreter spawning its
 * pool — before a phase of another kind. A shell and the program it runs are two processes; a
 * program that reads its input serially before fanning out starts no more, and keeps its serial
 * phase.
 */
const STARTUP_MIN_PROCESSES = 3;
/** At most one core, within the tick noise a 300 ms phase carries (the parallel line, PARALLEL_MIN). */
const STARTUP_MAX_CORES = PARALLEL_MIN;
/**
 * At most half the run, or 2 s whatever the run's length: interpreters and shims start in well
 * under that (0.3–0.7 s here), and a short program may spend most of its run starting.
 */
const STARTUP_MAX_SHARE = 0.5;
const STARTUP_MAX_MS = 2000;

function markStartup(phases: PhaseOf[]): PhaseOf[] {
  if (phases.length < 2) return phases;
  const [first] = phases;
  const a = first.activity;
  const runMs = phases[phases.length - 1].activity.toMs - a.fromMs;
  if (a.demand <= STARTUP_MAX_CORES && a.processesBorn >= STARTUP_MIN_PROCESSES && a.toMs - a.fromMs <= Math.max(STARTUP_MAX_MS, STARTUP_MAX_SHARE * runMs)) {
    return [{ kind: 'startup', activity: a }, ...phases.slice(1)];
  }
  return phases;
}

/**
 * Amdahl from one run: of the CPU work done while the workload computed (not waiting), the share
 * done in phases on about one core (below PARALLEL_MIN) is its serial fraction f, and 1/f the most
 * any number of cores could speed it up.
 */
export function serialFraction(phases: readonly PhaseOf[]): { serialWorkMs: number; parallelWorkMs: number; fraction: number; ceiling: number | null } | null {
  // Judged per phase, not per 100 ms bin: a bin of two or three samples books CPU a sample late
  // now and then (1.3 cores in one bin, 0.7 in the next, under the GIL), and the phases are what
  // the segmentation found steady.
  let serial = 0;
  let parallel = 0;
  for (const { activity: a } of phases) {
    const work = a.cores * Math.max(0, a.toMs - a.fromMs);
    if (a.demand < WAITING_MAX) continue;
    if (a.cores < PARALLEL_MIN) serial += work;
    else parallel += work;
  }
  const total = serial + parallel;
  if (total <= 0) return null;
  const fraction = serial / total;
  return { serialWorkMs: Math.round(serial), parallelWorkMs: Math.round(parallel), fraction: Math.round(fraction * 1000) / 1000, ceiling: fraction > 0 ? Math.round((1 / fraction) * 100) / 100 : null };
}
