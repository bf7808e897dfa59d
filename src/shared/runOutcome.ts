// Whether a run succeeded: its workload exited on its own with code 0. One definition, because
// the CLI's exit code, the sweep figures (failed runs are left out), the comparison flags, the
// HTML report's exit column and the app's "crashed" banner must all agree on what failed.
// A timeout, a cancel, a signal or an engine error is not a success, whatever the code says.
// An attached run watched a program that is not ours: the program exiting, the user stopping,
// or --duration passing are how such a run normally ends; only a fault of CoreScope (or the lost
// connection to the machine it ran on) is a failure.
import type { RunResult } from './types';

/** How an attached run ends when CoreScope's side failed: the watching was cut short. */
const WATCHING_CUT_SHORT: readonly string[] = ['engine-error', 'profiler-exit', 'connection-lost'];

export function runSucceeded(result: Pick<RunResult, 'exit' | 'attach'>): boolean {
  if (result.attach) return !WATCHING_CUT_SHORT.includes(result.attach.endedBy);
  return result.exit.reason === 'exited' && result.exit.code === 0;
}

/**
 * Why a run's record holds less than the run was to do, when CoreScope's side cut it short — it
 * was cancelled, CoreScope was interrupted, or the connection to the machine it ran on was lost —
 * else undefined. A session holding such a run is marked incomplete with this, and a file it is
 * saved to never replaces one that holds more. Stopping the watching of an attached program is
 * how such a run ends, not a cut.
 */
export function cutShort(result: Pick<RunResult, 'exit' | 'attach'>): string | undefined {
  switch (result.exit.reason) {
    case 'cancelled':
      return result.attach ? undefined : 'the run was cancelled before it finished';
    case 'profiler-exit':
      return 'the run was interrupted before it finished';
    case 'connection-lost':
      return 'the connection to the machine it ran on was lost before it ended';
    default:
      return undefined;
  }
}
