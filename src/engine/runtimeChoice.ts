// Which interpreter a scenario runs on: the one the request names (probed: it must work), else
// the default found on this machine. Failures are input errors naming the field to fix.
import type { RuntimeInfo } from '../shared/types';
import { InputError } from '../shared/runLimits';
import { findKeeperPython } from './run/keeperPython';
import { RuntimeNotFoundError, findRuntimes, resolveRuntime } from './runtimes';

async function pick(kind: 'python' | 'node', given: string | undefined): Promise<string> {
  // A real interpreter beats a shim (pyenv's is a bash script that adds processes and latency).
  if (!given && kind === 'python') {
    const direct = findKeeperPython();
    if (direct) return direct;
  }
  // The node running CoreScope (inside the app: Electron itself, run as node), with no probe to wait for.
  if (!given && kind === 'node') return process.execPath;
  try {
    return (await resolveRuntime(kind, given ? { [kind]: given } : {})).path;
  } catch (err) {
    if (err instanceof RuntimeNotFoundError) throw new InputError(kind, err.message);
    throw err;
  }
}

export async function resolveRuntimes(
  runtime: 'python' | 'node',
  wanted: { python?: string; node?: string },
): Promise<{ python: string; node: string }> {
  return runtime === 'python'
    ? { python: await pick('python', wanted.python), node: '' }
    : { python: '', node: await pick('node', wanted.node) };
}

export async function listRuntimes(wanted: { python?: string; node?: string }): Promise<RuntimeInfo[]> {
  try {
    return await findRuntimes(wanted);
  } catch (err) {
    if (err instanceof RuntimeNotFoundError) throw new InputError(err.kind, err.message);
    throw err;
  }
}
