// How a run ended, in the words every view uses: "exit 0", "exit 3", "killed by SIGSEGV",
// "cancelled", "timed out" — so a failed run never reads "exited" like a good one.
import type { RunResult } from '../../shared/types';

const ATTACH_ENDS = { 'target-exited': 'program exited', stopped: 'stopped watching', duration: 'watched its full time', 'engine-error': 'profiler error', 'profiler-exit': 'profiler quit', 'connection-lost': 'connection lost' } as const;

export function exitText(r: Pick<RunResult, 'exit' | 'attach'>): string {
  // An attached program's exit code is not ours to see: say how the watching ended.
  if (r.attach) return ATTACH_ENDS[r.attach.endedBy];
  const e = r.exit;
  switch (e.reason) {
    case 'exited':
      return e.signal ? `killed by ${e.signal}` : `exit ${e.code ?? '?'}`;
    case 'cancelled':
      return 'cancelled';
    case 'timeout':
      return 'timed out';
    case 'engine-error':
      return 'profiler error';
    case 'profiler-exit':
      return 'profiler quit';
    case 'connection-lost':
      return 'connection lost';
  }
}

/** Did the workload fail on its own (not cancelled or timed out by us)? */
export function failedOnItsOwn(r: Pick<RunResult, 'exit' | 'verdict' | 'attach'>): boolean {
  if (r.attach) return false;
  // Only a workload that exited can have failed on its own (a lost connection is not judged: its verdict says so).
  return r.exit.reason === 'exited' && (r.verdict.kind === 'failed' || r.exit.code !== 0 || !!r.exit.signal);
}
