// Whether a run succeeded: its workload exited on its own with code 0. One definition, because
// the CLI's exit code, the sweep figures (failed runs are left out), the comparison flags, the
// HTML report's exit column and the app's "crashed" banner must all agree on what failed.
// A timeout, a cancel, a signal or an engine error is not a success, whatever the code says.
// An attached run watched a program that is not ours: the program exiting, the user stopping,
// or --duration passing are how such a run normally ends; only a fault of CoreScope is a failure.
import type { RunResult } from './types';

export function runSucceeded(result: Pick<RunResult, 'exit' | 'attach'>): boolean {
  if (result.attach) return result.attach.endedBy !== 'engine-error' && result.attach.endedBy !== 'profiler-exit';
  return result.exit.reason === 'exited' && result.exit.code === 0;
}
