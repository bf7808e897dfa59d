import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPARE_PRESETS, SCENARIOS, SCENARIO_PROGRAMS, getScenario } from '../../src/shared/scenarios';
import { validateScenarioParams } from '../../src/shared/scenarioParams';
import { buildScenarioCommand, findWorkloadsDir, paramFlag } from '../../src/engine/scenarioCommand';

const workloads = findWorkloadsDir();

describe('scenario catalog', () => {
  it('has unique ids and every article example', () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'py-asyncio-sleep', 'py-asyncio-blocked', 'py-threads-sleep', 'py-threads-cpu', 'py-threads-native',
      'py-mp-cpu', 'py-mp-payload', 'node-async-io', 'node-libuv-pool', 'node-main-cpu',
      'node-worker-threads', 'node-cluster-http', 'node-fork', 'custom',
    ]) expect(ids).toContain(id);
  });

  it('gives every non-custom scenario an existing program that accepts each param as a flag', () => {
    for (const s of SCENARIOS) {
      if (s.runtime === 'custom') {
        expect(SCENARIO_PROGRAMS[s.id]).toBeUndefined();
        expect(s.params).toEqual([]);
        continue;
      }
      const prog = SCENARIO_PROGRAMS[s.id];
      expect(prog, s.id).toBeDefined();
      expect(prog.file.endsWith(s.runtime === 'python' ? '.py' : '.mjs'), s.id).toBe(true);
      const file = path.join(workloads, prog.file);
      expect(fs.existsSync(file), file).toBe(true);
      const source = fs.readFileSync(file, 'utf8');
      for (const p of s.params) {
        // argparse spells the flag with dashes; parseArgs options are the flag without them.
        const flag = paramFlag(p.name);
        expect(source.includes(`"${flag}"`) || source.includes(`'${flag.slice(2)}'`) || source.includes(` ${flag.slice(2)}:`), `${s.id}: ${flag}`).toBe(true);
      }
    }
  });

  it('has defaults inside their own ranges and choices', () => {
    for (const s of SCENARIOS) {
      for (const p of s.params) {
        if (p.kind === 'int' || p.kind === 'number') {
          expect(typeof p.default, `${s.id}.${p.name}`).toBe('number');
          if (p.kind === 'int') expect(Number.isInteger(p.default), `${s.id}.${p.name}`).toBe(true);
          expect(p.min, `${s.id}.${p.name} min`).toBeDefined();
          expect(p.max, `${s.id}.${p.name} max`).toBeDefined();
          expect(p.default as number).toBeGreaterThanOrEqual(p.min!);
          expect(p.default as number).toBeLessThanOrEqual(p.max!);
        }
        if (p.kind === 'enum') expect(p.choices).toContain(p.default);
        expect(p.help.length, `${s.id}.${p.name} help`).toBeGreaterThan(10);
      }
      expect(validateScenarioParams(s.id, {})).toMatchObject({ ok: true });
    }
  });

  it('explains each scenario in a paragraph and states what it should show', () => {
    for (const s of SCENARIOS) {
      expect(s.explanation.length, s.id).toBeGreaterThan(150);
      expect(['interleaved', 'parallel', 'waiting', 'blocked', 'any']).toContain(s.expectedVerdict);
      expect(s.id.startsWith(s.runtime === 'python' ? 'py-' : s.runtime === 'node' ? 'node-' : 'custom')).toBe(true);
    }
  });

  it('has compare presets whose sides are valid runs', () => {
    expect(COMPARE_PRESETS.map((p) => p.id)).toEqual(expect.arrayContaining([
      'threads-vs-processes', 'asyncio-vs-threads-io', 'main-thread-vs-workers', 'one-process-vs-cluster',
    ]));
    const tvp = COMPARE_PRESETS.find((p) => p.id === 'threads-vs-processes')!;
    expect([tvp.a, tvp.b]).toEqual(['py-threads-cpu', 'py-mp-cpu']);
    const cl = COMPARE_PRESETS.find((p) => p.id === 'one-process-vs-cluster')!;
    expect(cl.aParams?.workers).toBe(1);
    expect(cl.bParams?.workers).toBe(2);
    for (const p of COMPARE_PRESETS) {
      expect(getScenario(p.a), p.id).toBeDefined();
      expect(getScenario(p.b), p.id).toBeDefined();
      expect(validateScenarioParams(p.a, p.aParams ?? {}), p.id).toMatchObject({ ok: true });
      expect(validateScenarioParams(p.b, p.bParams ?? {}), p.id).toMatchObject({ ok: true });
    }
  });
});

describe('buildScenarioCommand', () => {
  const rt = { python: '/opt/py/bin/python3', node: '/opt/node/bin/node' };

  it('runs Python programs unbuffered with every param as a kebab-case flag', () => {
    const c = buildScenarioCommand('py-threads-native', { tasks: 3, bufferMib: 4 }, rt, '/w');
    expect(c.argv).toEqual([
      '/opt/py/bin/python3', '-u', path.join('/w', 'python/threads_native.py'),
      '--tasks', '3', '--work-ms', '1500', '--op', 'sha256', '--buffer-mib', '4',
    ]);
    expect(c.env).toMatchObject({ PYTHONDONTWRITEBYTECODE: '1' });
  });

  it('passes the libuv pool size in the environment, before Node starts', () => {
    const c = buildScenarioCommand('node-libuv-pool', { poolSize: 2 }, rt, '/w');
    expect(c.argv.slice(0, 2)).toEqual(['/opt/node/bin/node', path.join('/w', 'node/libuv_pool.mjs')]);
    expect(c.argv).toContain('--pool-size');
    expect(c.env).toMatchObject({ UV_THREADPOOL_SIZE: '2', ELECTRON_RUN_AS_NODE: '1' });
  });

  it('refuses invalid params, unknown scenarios and custom', () => {
    expect(() => buildScenarioCommand('py-mp-cpu', { tasks: 0 }, rt, '/w')).toThrow('tasks must be an integer from 1 to 64 (got 0)');
    expect(() => buildScenarioCommand('nope', {}, rt, '/w')).toThrow(/unknown scenario/);
    expect(() => buildScenarioCommand('custom', {}, rt, '/w')).toThrow(/command line/);
  });

  it('finds workloads/ from source and from build output folders', () => {
    expect(fs.existsSync(path.join(workloads, 'python', '_events.py'))).toBe(true);
    const root = path.dirname(workloads);
    for (const from of ['src/engine', 'out/cli', 'out/main']) expect(findWorkloadsDir(path.join(root, from))).toBe(workloads);
    expect(() => findWorkloadsDir('/')).toThrow(/CORESCOPE_WORKLOADS_DIR/);
  });
});
