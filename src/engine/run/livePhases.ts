// The phases of a run still in progress, for the live strip: cut again from the bins so far, but
// at most once a second of run time (a cut is O(bins²) and the live batches come 10 times a
// second), and always for the final batch.
import type { Activity } from '../../shared/activity';
import { segmentPhases } from '../../shared/phases';
import type { Phase, WorkloadEvent } from '../../shared/types';
import { describePhase } from '../../shared/verdict';

const RECUT_EVERY_BINS = 10;

export class LivePhases {
  private cutAt = -Infinity;
  private last: Phase[] = [];

  constructor(
    private readonly bins: readonly Activity[],
    private readonly events: readonly WorkloadEvent[],
  ) {}

  current(final: boolean): Phase[] {
    if (final || this.bins.length - this.cutAt >= RECUT_EVERY_BINS) {
      this.cutAt = this.bins.length;
      const firstTask = this.events.find((e) => e.kind === 'task-start');
      // Live, the last task's end is not known yet: no wind-down until the run is over.
      this.last = segmentPhases(this.bins, { firstTaskMs: firstTask ? firstTask.t : null }).map(describePhase);
    }
    return this.last;
  }
}
