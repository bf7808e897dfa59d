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

type TaskEvent = Extract<WorkloadEvent, { kind: 'task-start' | 'task-end' }>;

const isTaskEvent = (e: WorkloadEvent): e is TaskEvent => e.kind === 'task-start' || e.kind === 'task-end';

/** The packing itself, fed events in time order. */
class SpanPacker {
  readonly spans: TaskSpan[] = [];
  private readonly open = new Map<string, TaskSpan>();
  private readonly rowEnds: number[] = [];
  lastT = -Infinity;

  add(e: TaskEvent): void {
    this.lastT = e.t;
    const key = `${e.pid ?? ''}:${e.task}`;
    if (e.kind === 'task-start') {
      let row = this.rowEnds.findIndex((end) => end <= e.t);
      if (row < 0) {
        row = this.rowEnds.length;
        this.rowEnds.push(Infinity);
      } else this.rowEnds[row] = Infinity;
      const span: TaskSpan = { task: e.task, pid: e.pid, tid: e.tid, startMs: e.t, row };
      this.open.set(key, span);
      this.spans.push(span);
    } else {
      const span = this.open.get(key);
      if (!span) return;
      span.endMs = e.t;
      this.rowEnds[span.row] = e.t;
      this.open.delete(key);
    }
  }
}

export function buildTaskSpans(events: WorkloadEvent[]): TaskSpan[] {
  const packer = new SpanPacker();
  for (const e of events.filter(isTaskEvent).sort((a, b) => a.t - b.t)) packer.add(e);
  return packer.spans;
}

/**
 * buildTaskSpans for a live event list that only grows at its end: each frame packs just the
 * events that arrived since the last one (rebuilding everything only when the list is a
 * different one, was trimmed at its front, or an event arrived out of time order). The result
 * is the same as buildTaskSpans(events); a redraw no longer sorts and packs ~20 000 events.
 */
export class TaskSpanCache {
  private events: WorkloadEvent[] | null = null;
  private first: WorkloadEvent | undefined;
  private done = 0;
  private packer = new SpanPacker();

  spans(events: WorkloadEvent[]): TaskSpan[] {
    if (events !== this.events || events[0] !== this.first || events.length < this.done) return this.rebuild(events);
    let last = this.packer.lastT;
    for (let i = this.done; i < events.length; i++) {
      const e = events[i];
      if (!isTaskEvent(e)) continue;
      if (e.t < last) return this.rebuild(events);
      last = e.t;
    }
    for (let i = this.done; i < events.length; i++) {
      const e = events[i];
      if (isTaskEvent(e)) this.packer.add(e);
    }
    this.done = events.length;
    return this.packer.spans;
  }

  private rebuild(events: WorkloadEvent[]): TaskSpan[] {
    this.events = events;
    this.first = events[0];
    this.done = events.length;
    this.packer = new SpanPacker();
    for (const e of events.filter(isTaskEvent).sort((a, b) => a.t - b.t)) this.packer.add(e);
    return this.packer.spans;
  }
}
