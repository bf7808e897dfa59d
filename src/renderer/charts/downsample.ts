// Charts never draw more points than they have pixels: the ring is averaged into buckets so a
// 100 Hz run over minutes costs the same per frame as a short one.
import type { SeriesStore } from '../state/seriesStore';
import type { TimeWindow } from './layout';

export interface Buckets {
  /** Sample indices (in pushed order) of each bucket's first sample. */
  starts: number[];
  ends: number[];
  /** Samples per whole bucket. */
  stride: number;
}

/**
 * Buckets of `stride` samples aligned to absolute sample indices (a partial first bucket where
 * the window starts mid-bucket), so as new samples arrive and the window scrolls, every whole
 * bucket keeps its samples and its aggregate can be cached (BucketCache).
 */
export function bucketize(store: SeriesStore, win: TimeWindow, maxPoints: number): Buckets {
  const starts: number[] = [];
  const ends: number[] = [];
  let lo = store.first;
  const hi = store.count;
  while (lo < hi && store.t[store.slot(lo)] < win.fromMs) lo++;
  const n = hi - lo;
  if (n <= 0) return { starts, ends, stride: 1 };
  // Powers of two: the stride changes only when the sample count doubles or halves, not with every sample.
  const stride = 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(n / Math.max(1, maxPoints)))));
  const aligned = Math.ceil(lo / stride) * stride;
  if (aligned > lo) {
    starts.push(lo);
    ends.push(Math.min(hi, aligned));
  }
  for (let i = aligned; i < hi; i += stride) {
    starts.push(i);
    ends.push(Math.min(hi, i + stride));
  }
  return { starts, ends, stride };
}

interface CacheEntry {
  stride: number;
  version: number;
  /** Bucket number (start / stride) held in each slot, -1 when empty. */
  tag: Float64Array;
  mean: Float64Array;
}

/**
 * Means of whole, aligned buckets of a series, computed once: a whole bucket behind the newest
 * sample never changes (until the store says it rewrote samples), so a redraw averages only the
 * buckets new samples fell into. One cache per chart; series are told apart by their arrays.
 */
export class BucketCache {
  private entries = new WeakMap<Float32Array, CacheEntry>();
  private out = new Float64Array(0);

  /**
   * The mean of every bucket of `arr` (NaN where no sample is a number), in a buffer reused by the
   * next call: read it before asking for another series.
   */
  means(arr: Float32Array, store: SeriesStore, buckets: Buckets): Float64Array {
    const { starts, ends, stride } = buckets;
    const nb = starts.length;
    if (this.out.length < nb) this.out = new Float64Array(Math.max(nb, this.out.length * 2));
    const out = this.out;
    // A ring of buckets keyed by bucket number (the tag says which bucket a slot holds, so any
    // size is correct); room for the buckets in view, grown by doubling. Sized for the whole
    // history at stride 1 it was 2 × 48 KB per series, reallocated at every stride change.
    let e = this.entries.get(arr);
    if (!e || e.stride !== stride || e.version !== store.version || e.tag.length < nb + 2) {
      const slots = Math.max(64, 2 ** Math.ceil(Math.log2(2 * nb + 2)));
      e = { stride, version: store.version, tag: new Float64Array(slots).fill(-1), mean: new Float64Array(slots) };
      this.entries.set(arr, e);
    }
    const slots = e.tag.length;
    const count = store.count;
    const { tag, mean } = e;
    // Whole buckets come in a run of consecutive numbers: step their slot instead of a modulo each.
    let k = 0;
    let expect = -1;
    for (let b = 0; b < nb; b++) {
      const from = starts[b];
      const to = ends[b];
      // Only whole, aligned buckets behind the newest sample are final.
      // stride is a power of two: the mask is the cheap test of alignment (% on doubles is a libm call).
      if (to - from !== stride || (from & (stride - 1)) !== 0 || to > count) {
        out[b] = bucketMean(arr, store, from, to);
        continue;
      }
      const bucket = from / stride;
      if (bucket !== expect) k = bucket % slots;
      expect = bucket + 1;
      if (tag[k] !== bucket) {
        mean[k] = bucketMean(arr, store, from, to);
        tag[k] = bucket;
      }
      out[b] = mean[k];
      if (++k === slots) k = 0;
    }
    return out;
  }
}

export function bucketMean(arr: Float32Array, store: SeriesStore, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  const cap = store.capacity;
  let k = store.slot(from);
  for (let i = from; i < to; i++) {
    const v = arr[k];
    // v === v: not NaN (a thread not alive at that sample).
    if (v === v) {
      sum += v;
      n++;
    }
    if (++k === cap) k = 0;
  }
  return n ? sum / n : NaN;
}
