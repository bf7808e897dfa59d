import { describe, expect, it } from 'vitest';
import { defaultScenarioParams, validateScenarioParams } from '../../src/shared/scenarioParams';

function errorsOf(id: string, raw: Record<string, unknown>) {
  const r = validateScenarioParams(id, raw);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

describe('validateScenarioParams', () => {
  it('fills defaults for params not given', () => {
    const r = validateScenarioParams('py-threads-cpu', { tasks: 4 });
    expect(r).toEqual({ ok: true, params: { tasks: 4, workMs: 1500, switchIntervalMs: 0 } });
  });

  it('names the field and the range when an integer is out of range', () => {
    expect(errorsOf('py-threads-cpu', { tasks: 0 })).toEqual([
      { field: 'tasks', message: 'tasks must be an integer from 1 to 64 (got 0)' },
    ]);
    expect(errorsOf('py-threads-cpu', { workMs: 100_000 })[0].message).toBe(
      'workMs must be an integer from 10 to 60000 ms (got 100000)',
    );
  });

  it('rejects non-integers and wrong types with the same message shape', () => {
    expect(errorsOf('py-mp-cpu', { tasks: 2.5 })[0].message).toBe('tasks must be an integer from 1 to 64 (got 2.5)');
    expect(errorsOf('py-mp-cpu', { tasks: 'many' })[0].message).toBe('tasks must be an integer from 1 to 64 (got "many")');
    expect(errorsOf('py-mp-cpu', { tasks: true })[0].message).toBe('tasks must be an integer from 1 to 64 (got true)');
    expect(errorsOf('py-mp-cpu', { tasks: null })[0].message).toBe('tasks must be an integer from 1 to 64 (got null)');
    expect(errorsOf('py-mp-cpu', { tasks: Number.NaN })[0].field).toBe('tasks');
  });

  it('accepts numeric strings, as a command line sends them', () => {
    expect(validateScenarioParams('node-cluster-http', { workers: '3', requestWorkMs: '0.5' })).toMatchObject({
      ok: true,
      params: { workers: 3, requestWorkMs: 0.5 },
    });
  });

  it('lists the choices of an enum', () => {
    expect(errorsOf('py-threads-native', { op: 'md5' })).toEqual([
      { field: 'op', message: 'op must be one of sha256, zlib (got "md5")' },
    ]);
  });

  it('rejects unknown params, naming the allowed ones', () => {
    const [e] = errorsOf('node-fork', { thread: 2 });
    expect(e.field).toBe('thread');
    expect(e.message).toBe('unknown parameter "thread" for node-fork (allowed: tasks, workMs)');
    expect(errorsOf('custom', { tasks: 1 })[0].message).toContain('it takes no parameters');
  });

  it('rejects an unknown scenario, listing the known ones', () => {
    const [e] = errorsOf('py-gevent', {});
    expect(e.field).toBe('scenario');
    expect(e.message).toMatch(/^unknown scenario "py-gevent" \(known: .*py-threads-cpu/);
  });

  it('reports every bad field at once', () => {
    expect(errorsOf('node-libuv-pool', { tasks: -1, poolSize: 1000, op: 'scrypt' }).map((e) => e.field)).toEqual([
      'tasks', 'op', 'poolSize',
    ]);
  });

  it('gives defaults per scenario', () => {
    expect(defaultScenarioParams('node-cluster-http')).toMatchObject({ workers: 2 });
    expect(defaultScenarioParams('custom')).toEqual({});
    expect(defaultScenarioParams('nope')).toBeUndefined();
  });
});
