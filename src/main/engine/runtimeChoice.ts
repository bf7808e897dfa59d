// Which interpreter a scenario runs on: the one the request names, else the default found on
// this machine. A named one that does not exist is an input error naming the field.
import { accessSync, constants } from 'node:fs';
import type { RuntimeInfo } from '../../shared/types';
import { InputError } from '../../shared/runLimits';
import { findKeeperPython } from './run/keeperPython';

function usable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function resolveRuntimes(
  runtime: 'python' | 'node',
  wanted: { python?: string; node?: string },
): Promise<{ python: string; node: string }> {
  let python = wanted.python ?? '';
  let node = wanted.node ?? '';
  if (runtime === 'python') {
    if (python && !usable(python)) throw new InputError('python', `python: ${JSON.stringify(python)} is not an executable file; give the path of a Python 3 interpreter (--python PATH)`);
    python ||= findKeeperPython() ?? '';
    if (!python) throw new InputError('python', 'no Python 3 interpreter found (looked for python3 in /usr/bin, /usr/local/bin and on PATH); install one or point CoreScope at it with --python PATH');
  } else {
    if (node && !usable(node)) throw new InputError('node', `node: ${JSON.stringify(node)} is not an executable file; give the path of a Node.js binary (--node PATH)`);
    // Inside Electron, execPath is Electron itself, which runs as node with ELECTRON_RUN_AS_NODE.
    node ||= process.execPath;
  }
  return { python, node };
}

export async function listRuntimes(_wanted: { python?: string; node?: string }): Promise<RuntimeInfo[]> {
  return [];
}
