// Messages name the field the way each door does (issue 13): `--rate` on the command line,
// "Sampling rate" in the form, `rateHz` over the API — from one table, for every field the
// validators can name, including every scenario parameter in the catalog.
import { describe, expect, it } from 'vitest';
import { atDoor, fieldName } from '../../src/shared/fieldNames';
import { InputError, checkRateHz, checkTimeoutS } from '../../src/shared/runLimits';
import { validateScenarioParams } from '../../src/shared/scenarioParams';
import { SCENARIOS } from '../../src/shared/scenarios';

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as InputError).message;
  }
  throw new Error('did not throw');
};
const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('fieldName', () => {
  it('names the run fields per door', () => {
    expect(fieldName('rateHz', 'cli')).toBe('--rate');
    expect(fieldName('timeoutS', 'cli')).toBe('--timeout');
    expect(fieldName('rateHz', 'form')).toBe('Sampling rate');
    expect(fieldName('timeoutS', 'form')).toBe('Timeout');
    expect(fieldName('rateHz', 'api')).toBe('rateHz');
    expect(fieldName('params.workMs', 'cli')).toBe('--work-ms');
    expect(fieldName('params.workMs', 'form')).toBe('Work per task');
  });

  it('leaves unknown fields and prototype keys as they are', () => {
    for (const f of ['runs[0].samples.rateHz', 'constructor', '__proto__', 'params.constructor', 'toString', '']) expect(fieldName(f, 'cli')).toBe(f);
  });
});

describe('atDoor', () => {
  it('the range messages of --rate and --timeout', () => {
    expect(atDoor(messageOf(() => checkRateHz(500)), 'cli')).toBe('--rate must be a number from 1 to 100 samples per second (got 500)');
    expect(atDoor(messageOf(() => checkTimeoutS(0)), 'cli')).toBe('--timeout must be a number of seconds from 0.1 to 86400 (got 0)');
    expect(atDoor(messageOf(() => checkRateHz(0)), 'form')).toMatch(/^Sampling rate must be a number from 1 to 100/);
    expect(atDoor(messageOf(() => checkRateHz(0)), 'api')).toMatch(/^rateHz must be/);
  });

  it('every scenario parameter of the catalog, out of range, is named as typed at the CLI and as labelled in the form', () => {
    let checked = 0;
    for (const s of SCENARIOS) {
      for (const p of s.params) {
        const bad = p.kind === 'enum' ? 'no-such-choice' : p.kind === 'bool' ? 'maybe' : p.max !== undefined ? p.max + 1 : 'x';
        const r = validateScenarioParams(s.id, { [p.name]: bad });
        expect(r.ok, `${s.id}.${p.name}`).toBe(false);
        if (r.ok) continue;
        const message = r.errors.map((e) => e.message).join('; ');
        expect(atDoor(message, 'cli')).toMatch(new RegExp(`^--${kebab(p.name)} must be `));
        expect(atDoor(message, 'form', s.id).startsWith(`${p.label} must be `), atDoor(message, 'form', s.id)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('several errors joined by "; ", and the allowed list of an unknown parameter', () => {
    const s = SCENARIOS.find((x) => x.id === 'py-threads-cpu')!;
    const r = validateScenarioParams(s.id, { tasks: 0, workMs: 1, fooBar: 1 });
    expect(r.ok).toBe(false);
    const message = r.ok ? '' : r.errors.map((e) => e.message).join('; ');
    const cli = atDoor(message, 'cli');
    expect(cli).toContain('unknown option --foo-bar for py-threads-cpu (allowed: --tasks, --work-ms, --switch-interval-ms)');
    expect(cli).toContain('; --tasks must be an integer');
    expect(cli).toContain('; --work-ms must be an integer');
    expect(cli).not.toMatch(/workMs|switchIntervalMs/);
  });

  it('a field mentioned elsewhere than as the subject (a place in a session file) is left alone', () => {
    const m = 'bad.session.json: runs[1].samples.rateHz: must be a number from 1 to 100 (got 500)';
    expect(atDoor(m, 'cli')).toBe(m);
    expect(atDoor('the tasks were done', 'cli')).toBe('the tasks were done');
  });
});
