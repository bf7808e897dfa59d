// Charts never draw more points than they have pixels: the ring is averaged into buckets so a
// 100 Hz run over minutes costs the same per frame as a short one.
import type { SeriesStore } from '../state/seriesStore';
import type { TimeWindow } from './layout';

export interface Buckets {
  /** Sample indices (in pushed order) of each bucket's first sample. */
  starts: number[];
  ends: number[];
}

export function bucketize(store: SeriesStore, win: TimeWindow, maxPoints: number): Buckets {
  const starts: number[] = [];
  const ends: number[] = [];
  let lo = store.first;
  const hi = store.count;
  while (lo < hi && store.t[store.slot(lo)] < win.fromMs) lo++;
  const n = hi - lo;
  if (n <= 0) return { starts, ends };
  const stride = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
  for (let i = lo; i < hi; i += stride) {
    starts.push(i);
    ends.push(Math.min(hi, i + stride));
  }
  return { starts, ends };
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
