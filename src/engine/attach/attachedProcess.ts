// A program CoreScope attached to: it is watched, never signalled. Its exit is noticed by polling
// its stat line (pid and start time, so a reused pid is not taken for it): it is not our child,
// so no exit event or code ever reaches us.
import type { Readable } from 'node:stream';
import { readProcOnce } from '../proc/procFile';
import { tryParseTaskStat } from '../proc/parseTaskStat';
import type { WorkloadHandle } from '../run/workloadHandle';
import type { AttachTarget } from './attachTarget';

const POLL_MS = 100;

export class AttachedProcess implements WorkloadHandle {
  readonly viaKeeper = false;
  readonly owned = false;
  readonly spawned = Promise.resolve();
  readonly stdout: Readable | null = null;
  readonly stderr: Readable | null = null;
  readonly events: Readable | null = null;
  readonly keeperPipe: Readable | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly target: AttachTarget,
    private readonly procRoot = '/proc',
  ) {}

  get pid(): number {
    return this.target.pid;
  }

  /** Whether the target still runs (the same process: pid and start time). */
  alive(): boolean {
    const st = tryParseTaskStat(readProcOnce(`${this.procRoot}/${this.target.pid}/stat`));
    return st !== null && st.starttime === this.target.starttime && st.state !== 'Z' && st.state !== 'X';
  }

  onExit(callback: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.timer = setInterval(() => {
      if (this.alive()) return;
      this.close();
      callback(null, null);
    }, POLL_MS);
  }

  signalTree(): void {
    // Never: an attached program is not ours to end.
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
