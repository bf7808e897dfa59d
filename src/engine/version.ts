// CoreScope's own version, from the package.json beside the workloads folder: sessions and
// traces record which CoreScope wrote them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkloadsDir } from './scenarioCommand';

let version: string | undefined;
export function corescopeVersion(): string {
  if (version) return version;
  try {
    version = JSON.parse(readFileSync(join(findWorkloadsDir(), '..', 'package.json'), 'utf8')).version as string;
  } catch {
    version = 'unknown';
  }
  return version;
}
