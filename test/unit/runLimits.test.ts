// Run limits every front door enforces: messages name the field and the range.
import { describe, expect, it } from 'vitest';
import { InputError, RATE_HZ, TIMEOUT_S, checkRateHz, checkTimeoutS } from '../../src/shared/runLimits';

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('checkRateHz', () => {
  it('defaults to 20 Hz and accepts the ends of 1..100', () => {
    expect(RATE_HZ).toEqual({ min: 1, max: 100, default: 20 });
    expect(checkRateHz(undefined)).toBe(20);
    expect(checkRateHz(1)).toBe(1);
    expect(checkRateHz(100)).toBe(100);
    expect(checkRateHz(33.3)).toBe(33.3);
  });

  it('rejects out-of-range and non-numbers, naming the field, the range and the value', () => {
    const cases: [unknown, string][] = [
      [0, '0'],
      [0.999, '0.999'],
      [100.01, '100.01'],
      [-5, '-5'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      ['20', '"20"'],
      [null, 'null'],
      [true, 'true'],
    ];
    for (const [v, shown] of cases) {
      const e = errorOf(() => checkRateHz(v));
      expect(e.field).toBe('rateHz');
      expect(e.name).toBe('InputError');
      expect(e.message).toBe(`rateHz must be a number from 1 to 100 samples per second (got ${shown})`);
    }
  });

  it('uses the caller\'s field name (e.g. a CLI flag)', () => {
    const e = errorOf(() => checkRateHz(500, '--rate'));
    expect(e.field).toBe('--rate');
    expect(e.message).toBe('--rate must be a number from 1 to 100 samples per second (got 500)');
  });
});

describe('checkTimeoutS', () => {
  it('defaults to 600 s and accepts the ends of 0.1..86400', () => {
    expect(TIMEOUT_S).toEqual({ min: 0.1, max: 86_400, default: 600 });
    expect(checkTimeoutS(undefined)).toBe(600);
    expect(checkTimeoutS(0.1)).toBe(0.1);
    expect(checkTimeoutS(86_400)).toBe(86_400);
  });

  it('rejects out-of-range and non-numbers, naming the field, the range and the value', () => {
    for (const [v, shown] of [[0, '0'], [0.05, '0.05'], [86_401, '86401'], [-1, '-1'], ['10', '"10"'], [NaN, 'NaN'], [{}, '[object Object]']] as [unknown, string][]) {
      const e = errorOf(() => checkTimeoutS(v));
      expect(e.field).toBe('timeoutS');
      expect(e.message).toBe(`timeoutS must be a number of seconds from 0.1 to 86400 (got ${shown})`);
    }
    expect(errorOf(() => checkTimeoutS(0, '--timeout')).message).toBe('--timeout must be a number of seconds from 0.1 to 86400 (got 0)');
  });
});
