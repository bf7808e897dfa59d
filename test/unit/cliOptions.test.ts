// CLI option helpers: scenario knobs, --env pairs, numeric options.
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliInputError } from '../../src/cli/exitCodes';
import { collect, parseEnvPairs, parseFloatOption, parseKnobs } from '../../src/cli/options';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('parseKnobs', () => {
  it('reads --name value and --name=value, camel-casing the name', () => {
    expect(parseKnobs(['--work-ms', '5'])).toEqual({ workMs: '5' });
    expect(parseKnobs(['--work-ms=5'])).toEqual({ workMs: '5' });
    expect(parseKnobs(['--tasks', '4', '--work-ms=250', '--io-delay-ms', '0'])).toEqual({ tasks: '4', workMs: '250', ioDelayMs: '0' });
  });

  it('keeps values as given: empty after =, = inside the value, negative numbers', () => {
    expect(parseKnobs(['--label='])).toEqual({ label: '' });
    expect(parseKnobs(['--expr=a=b'])).toEqual({ expr: 'a=b' });
    expect(parseKnobs(['--offset', '-5'])).toEqual({ offset: '-5' });
    expect(parseKnobs(['--name', 'two words'])).toEqual({ name: 'two words' });
  });

  it('a flag without a value is true, at the end or before another flag', () => {
    expect(parseKnobs(['--verbose'])).toEqual({ verbose: true });
    expect(parseKnobs(['--use-pool', '--tasks', '3'])).toEqual({ usePool: true, tasks: '3' });
    expect(parseKnobs(['--tasks', '3', '--use-pool'])).toEqual({ tasks: '3', usePool: true });
  });

  it('camel-cases digits after dashes and keeps the last of repeated knobs', () => {
    expect(parseKnobs(['--level-2-size', '8'])).toEqual({ level2Size: '8' });
    expect(parseKnobs(['--tasks', '1', '--tasks=2'])).toEqual({ tasks: '2' });
  });

  it('nothing given is no knobs', () => {
    expect(parseKnobs([])).toEqual({});
  });

  it('rejects a stray positional, naming it and the expected form', () => {
    for (const tokens of [['stray'], ['--tasks', '3', 'extra'], ['-t', '3'], ['--']]) {
      const e = errorOf(() => parseKnobs(tokens));
      expect(e).toBeInstanceOf(CliInputError);
      const bad = tokens.length === 3 ? tokens[2] : tokens[0];
      expect(e.message).toBe(`unexpected argument ${JSON.stringify(bad)}; scenario parameters are given as --<name> <value>`);
    }
  });
});

describe('parseEnvPairs', () => {
  it('splits at the first =', () => {
    expect(parseEnvPairs(['A=1', 'PATH=/bin:/usr/bin', 'X=a=b', 'EMPTY='])).toEqual({ A: '1', PATH: '/bin:/usr/bin', X: 'a=b', EMPTY: '' });
    expect(parseEnvPairs([])).toEqual({});
    expect(parseEnvPairs(['A=1', 'A=2'])).toEqual({ A: '2' });
  });

  it('rejects a pair without a name or without =, quoting it', () => {
    for (const p of ['A', '=x', '']) {
      const e = errorOf(() => parseEnvPairs([p]));
      expect(e).toBeInstanceOf(CliInputError);
      expect(e.message).toBe(`--env must be NAME=VALUE (got ${JSON.stringify(p)})`);
    }
  });
});

describe('parseFloatOption and collect', () => {
  it('parses numbers and names the option on anything else', () => {
    const rate = parseFloatOption('--rate');
    expect(rate('50')).toBe(50);
    expect(rate(' 2.5 ')).toBe(2.5);
    expect(rate('1e2')).toBe(100);
    for (const v of ['', '  ', 'abc', '5hz', 'Infinity', 'NaN']) {
      const e = errorOf(() => rate(v));
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.message).toBe(`--rate must be a number (got ${JSON.stringify(v)})`);
    }
  });

  it('collect appends without mutating', () => {
    const before = ['a'];
    expect(collect('b', before)).toEqual(['a', 'b']);
    expect(before).toEqual(['a']);
  });
});

describe('parseKnobs: an empty name', () => {
  it('is refused with the token named', () => {
    expect(() => parseKnobs(['--=5'])).toThrow(/parameter name missing in "--=5"/);
  });
});
