// What a run holds of the program it measures: one it launched (workloadProcess.ts, under the
// keeper) or one it attached to (attach/attachedProcess.ts). An attached program is not ours:
// no output, no events, no keeper, and never a signal.
import type { Readable } from 'node:stream';

export interface WorkloadHandle {
  readonly pid: number | undefined;
  readonly viaKeeper: boolean;
  /** Resolves once the program runs (at once for an attached one); rejects when it cannot start. */
  readonly spawned: Promise<void>;
  /** False for an attached program: ending the run must never signal it. */
  readonly owned: boolean;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly events: Readable | null;
  readonly keeperPipe: Readable | null;
  /** Calls back once when the program exits (its code and signal, or nulls when not ours to know). */
  onExit(callback: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Ends the launched tree; does nothing for an attached program. */
  signalTree(signal: NodeJS.Signals): void;
  /** Lets go of timers and handles. */
  close(): void;
}
