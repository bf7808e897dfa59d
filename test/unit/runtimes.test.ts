import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RuntimeNotFoundError, clearRuntimeCache, findRuntimes, parseNodeProbe, parsePythonProbe, resolveRuntime,
} from '../../src/engine/runtimes';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'corescope-rt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fakeInterpreter(name: string, json: object): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `#!/bin/sh\necho '${JSON.stringify(json)}'\n`, { mode: 0o755 });
  return file;
}

describe('runtime discovery', () => {
  it('finds this machine\'s Python 3 and Node, with the GIL on', async () => {
    const all = await findRuntimes();
    const py = all.find((r) => r.kind === 'python');
    expect(py).toBeDefined();
    expect(py!.version).toMatch(/^3\.\d+/);
    expect(py!.implementation).toBe('CPython');
    expect(py!.gilEnabled).toBe(true);
    expect(py!.freeThreadedBuild).toBe(false);
    const node = all.find((r) => r.kind === 'node');
    expect(node!.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('puts a given interpreter first and answers repeat calls from the cache', async () => {
    const all = await findRuntimes({ python: '/usr/bin/python3', node: process.execPath });
    expect(all.find((r) => r.kind === 'python')!.path).toBe('/usr/bin/python3');
    expect(all.find((r) => r.kind === 'node')!.path).toBe(process.execPath);
    const t0 = performance.now();
    await findRuntimes({ python: '/usr/bin/python3' });
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('fails clearly for a given path that does not work, saying how to fix it', async () => {
    const err = await findRuntimes({ python: '/nonexistent/python3' }).catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeNotFoundError);
    expect(err.message).toContain('/nonexistent/python3: not found');
    expect(err.message).toContain('--python PATH');
    const notPython = fakeInterpreter('python2', { version: '2.7.18', major: 2 });
    await expect(resolveRuntime('python', { python: notPython })).rejects.toThrow(/not a Python 3 interpreter/);
    await expect(findRuntimes({ node: '/nonexistent/node' })).rejects.toThrow(/--node PATH/);
  });

  it('tells a free-threaded build from a GIL build', async () => {
    const ft = fakeInterpreter('python3.13t', {
      version: '3.13.1', implementation: 'CPython', executable: path.join(tmp, 'python3.13t'), major: 3, gil: false, ft: true,
    });
    clearRuntimeCache();
    const py = await resolveRuntime('python', { python: ft });
    expect(py).toMatchObject({ path: ft, version: '3.13.1', gilEnabled: false, freeThreadedBuild: true });
    // PYTHON_GIL=1 on a free-threaded build: built without the GIL, running with it.
    expect(parsePythonProbe('x', '{"version":"3.13.1","major":3,"gil":true,"ft":true}')).toMatchObject({
      gilEnabled: true, freeThreadedBuild: true,
    });
    expect(parsePythonProbe('x', '{"version":"3.10.0","implementation":"PyPy","major":3,"gil":true,"ft":false}')).toMatchObject({
      implementation: 'PyPy', gilEnabled: true,
    });
    expect(parsePythonProbe('x', 'garbage')).toBeNull();
  });

  it('recognises Electron run as node', () => {
    expect(parseNodeProbe('/app/electron', '{"version":"v22.1.0","electron":"41.7.1"}')).toEqual({
      kind: 'node', path: '/app/electron', version: '22.1.0', implementation: 'electron 41.7.1',
    });
  });
});
