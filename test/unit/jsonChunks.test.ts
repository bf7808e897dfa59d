// The streamed JSON writer must produce exactly JSON.stringify's text, on hand-picked edge cases
// and on random values (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batched, jsonChunks } from '../../src/shared/jsonChunks';

const text = (v: unknown): string => [...batched(jsonChunks(v), 7)].join('');

describe('jsonChunks', () => {
  it('matches JSON.stringify on the edge cases', () => {
    const cases: unknown[] = [
      null, 0, -0, 1.5, NaN, Infinity, 'a"b\n', true, [], {}, [undefined, () => 1, NaN, null],
      { a: undefined, b: () => 1, c: [1, NaN, -Infinity], 'd"e': { f: new Date(0) } },
      Array.from({ length: 10_000 }, (_, i) => (i % 7 === 0 ? NaN : i / 3)),
      [[1, 2], [], [null]], { toJSON: () => ({ x: 1 }) },
    ];
    for (const c of cases) expect(text(c)).toBe(JSON.stringify(c));
  });

  it('matches JSON.stringify on random JSON-like values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.oneof(fc.double(), fc.constant(null)), { maxLength: 9000 }), (v, column) => {
        expect(text(v)).toBe(JSON.stringify(v));
        expect(text({ column })).toBe(JSON.stringify({ column }));
      }),
      { numRuns: 200 },
    );
  });

  it('gathers pieces into batches of at least the asked size, except the last', () => {
    const parts = [...batched(jsonChunks(Array.from({ length: 50_000 }, (_, i) => i)), 10_000)];
    expect(parts.slice(0, -1).every((p) => p.length >= 10_000)).toBe(true);
    expect(parts.join('')).toBe(JSON.stringify(Array.from({ length: 50_000 }, (_, i) => i)));
  });
});
