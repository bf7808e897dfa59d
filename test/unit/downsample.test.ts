// Cached bucket means must equal freshly computed ones while a live store scrolls (ring wraps,
// window moves, new samples land in the last bucket) and after a batch rewrites held samples.
import { describe, expect, it } from 'vitest';
import { BucketCache, bucketMean, bucketize } from '../../src/renderer/charts/downsample';
import { SeriesStore } from '../../src/renderer/state/seriesStore';
import type { LiveBatch } from '../../src/shared/types';

const thread = { pid: 1, tid: 2, name: 't', role: 'main' as const, firstSeenMs: 0 };

function batch(from: number, n: number, value: (i: number) => number): LiveBatch {
  const idx = Array.from({ length: n }, (_, k) => from + k);
  return {
    runId: 'r', fromIndex: from, t: idx.map((i) => i * 10), coreUser: [idx.map(value)], coreSystem: [idx.map(() => 0.1)], coreIowait: [idx.map(() => 0)],
    workloadCores: idx.map(value), threads: [thread], threadCpu: [idx.map((i) => (i % 50 < 5 ? Number.NaN : value(i)))], threadCore: [idx.map(() => 0)],
    events: [], live: { wallMs: 0, cpuMs: 0, parallelism: 0, tasksInFlight: 0, lastLagMs: null }, windows: [], phases: [],
  };
}

describe('BucketCache', () => {
  it('agrees with bucketMean on every bucket as the store scrolls and wraps', () => {
    const store = new SeriesStore(1000);
    const cache = new BucketCache();
    const value = (i: number): number => ((i * 37) % 101) / 100;
    for (let from = 0; from < 5000; from += 7) {
      store.addBatch(batch(from, 7, value));
      const toMs = store.lastT();
      const buckets = bucketize(store, { fromMs: Math.max(0, toMs - 6000), toMs }, 120);
      expect(buckets.starts.length).toBeLessThanOrEqual(121);
      for (const arr of [store.user[0], store.threads.get(2)!.cpu]) {
        const got = cache.means(arr, store, buckets);
        for (let b = 0; b < buckets.starts.length; b++) {
          const want = bucketMean(arr, store, buckets.starts[b], buckets.ends[b]);
          if (Number.isNaN(want)) expect(got[b]).toBeNaN();
          else expect(got[b]).toBeCloseTo(want, 6);
        }
      }
    }
  });

  it('drops what it cached when a batch rewrites samples already held', () => {
    const store = new SeriesStore(1000);
    const cache = new BucketCache();
    store.addBatch(batch(0, 600, () => 0.2));
    const buckets = bucketize(store, { fromMs: 0, toMs: 6000 }, 50);
    const before = cache.means(store.user[0], store, buckets)[0];
    expect(before).toBeCloseTo(0.2, 6);
    store.addBatch(batch(0, 600, () => 0.9));
    expect(cache.means(store.user[0], store, bucketize(store, { fromMs: 0, toMs: 6000 }, 50))[0]).toBeCloseTo(0.9, 6);
  });
});
