// What to do about each kind of failure: an error without a next step leaves people stuck.
import type { ApiError } from '../transport/apiError';
import { fieldName } from '../../shared/fieldNames';

export function adviceFor(err: Pick<ApiError, 'message' | 'code' | 'field'>): string {
  const m = err.message.toLowerCase();
  if (err.code === 'connection-lost') return 'Restart `corescope serve` (or `npm start`) and open the URL it prints; finished runs in this page are kept until you reload.';
  if (/python/.test(m) && /(not found|no python|enoent|cannot find)/.test(m)) return 'Install Python 3 (Debian: apt-get install python3) or choose another interpreter in the Runtime list.';
  if (/node/.test(m) && /(not found|enoent)/.test(m)) return 'Install Node.js or choose another runtime in the Runtime list.';
  if (/timed? ?out|timeout/.test(m)) return 'The run hit its time limit: raise "Timeout" under Advanced, or lower the amount of work per task.';
  if (err.field) return `Fix the highlighted field (${fieldName(err.field, 'form')}) and run again.`;
  if (/exit|crash|signal|code \d/.test(m)) return 'The workload itself failed: its stderr is shown below the results; check the parameters and the runtime.';
  if (err.code === 'not-found') return 'That run is no longer known to the engine (it keeps recent runs only); run it again.';
  return 'If this keeps happening, run the same scenario with `corescope run` in a terminal to see the full output.';
}
