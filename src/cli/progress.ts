// Live progress of a run on stderr: one line rewritten in place on a terminal, nothing otherwise
// (so logs and pipes stay clean).
import type { EngineEvent } from '../shared/api';

export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private shown = false;

  constructor(private readonly label: string) {}

  /** Whether to subscribe at all: off a terminal nothing is shown, so no live data is needed. */
  get wanted(): boolean {
    return this.tty;
  }

  onEvent(e: EngineEvent): void {
    if (!this.tty || e.type !== 'live') return;
    const l = e.batch.live;
    const lag = l.lastLagMs !== null ? `, loop lag ${l.lastLagMs.toFixed(0)} ms` : '';
    const tasks = l.tasksInFlight ? `, ${l.tasksInFlight} tasks in flight` : '';
    const line = `${this.label}: ${(l.wallMs / 1000).toFixed(1)} s, ${l.parallelism.toFixed(2)} cores busy, ${e.batch.threads.length} threads${tasks}${lag}  (Ctrl-C to stop)`;
    process.stderr.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
