// countText groups digits as en-US toLocaleString does, without loading ICU (see countText.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countText } from '../../src/shared/countText';

describe('countText', () => {
  it('groups thousands with commas', () => {
    expect(countText(0)).toBe('0');
    expect(countText(999)).toBe('999');
    expect(countText(1000)).toBe('1,000');
    expect(countText(200000)).toBe('200,000');
    expect(countText(1234567)).toBe('1,234,567');
    expect(countText(-1234)).toBe('-1,234');
  });

  it('agrees with en-US toLocaleString on every integer count', () => {
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => countText(n) === n.toLocaleString('en-US')));
  });
});
