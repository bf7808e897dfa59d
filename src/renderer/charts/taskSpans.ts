// Task spans from the workload's task-start/task-end events, packed into as few rows as
// overlap allows (greedy interval colouring): the number of rows in use at an instant is the
// number of tasks in flight, which is what concurrency looks like.
import type { WorkloadEvent } from '../../shared/types';

export interface TaskSpan {
  task: string;
  pid?: number;
  tid?: number;
  startMs: number;
  /** Undefined while the task is still running. */
  endMs?: number;
  row: number;
}

export function buildTaskSpans(events: WorkloadEvent[]): TaskSpan[] {
  const open = new Map<string, TaskSpan>();
  const spans: TaskSpan[] = [];
  const rowEnds: number[] = [];
  const sorted = events.filter((e) => e.kind === 'task-start' || e.kind === 'task-end').sort((a, b) => a.t - b.t);
  for (const e of sorted) {
    if (e.kind !== 'task-start' && e.kind !== 'task-end') continue;
    const key = `${e.pid ?? ''}:${e.task}`;
    if (e.kind === 'task-start') {
      let row = rowEnds.findIndex((end) => end <= e.t);
      if (row < 0) {
        row = rowEnds.length;
        rowEnds.push(Infinity);
      } else rowEnds[row] = Infinity;
      const span: TaskSpan = { task: e.task, pid: e.pid, tid: e.tid, startMs: e.t, row };
      open.set(key, span);
      spans.push(span);
    } else {
      const span = open.get(key);
      if (!span) continue;
      span.endMs = e.t;
      rowEnds[span.row] = e.t;
      open.delete(key);
    }
  }
  return spans;
}
