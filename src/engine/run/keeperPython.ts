// Finds a Python for the keeper (workloads/keeper.py). A real interpreter is preferred over a
// shim (pyenv's is a bash script) because the keeper's start-up is part of every run's latency.
import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isExecutable } from '../runtimes';

let cached: string | null | undefined;

export function findKeeperPython(): string | null {
  if (cached !== undefined) return cached;
  const candidates = [process.env.CORESCOPE_KEEPER_PYTHON, '/usr/bin/python3', '/usr/local/bin/python3'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && !dir.includes('shims')) candidates.push(join(dir, 'python3'));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'python3'));
  cached = null;
  for (const c of candidates) {
    if (c && isExecutable(c)) {
      cached = realpathSync(c);
      break;
    }
  }
  return cached;
}
