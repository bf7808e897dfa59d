// Reads a workload's event channel (fd 3, JSON lines): valid lines become events on the run's
// time axis; anything else is counted as a warning and never stops the run.
import type { Readable } from 'node:stream';
import type { WorkloadEvent } from '../../shared/types';
import { workloadEventLine } from '../../shared/workloadEventSchema';
import { LineSplitter } from './lineSplitter';

export const MAX_EVENT_LINE_BYTES = 64 * 1024;
/** Events kept per run; beyond this they are counted, not stored, so memory stays bounded. */
export const MAX_EVENTS = 200_000;

export class EventChannel {
  readonly events: WorkloadEvent[] = [];
  rejected = 0;
  dropped = 0;
  private firstRejection: string | null = null;
  private readonly splitter: LineSplitter;

  constructor(private readonly now: () => number) {
    this.splitter = new LineSplitter(
      MAX_EVENT_LINE_BYTES,
      (line) => this.accept(line),
      (bytes) => this.reject(`a line of ${bytes} bytes exceeds the ${MAX_EVENT_LINE_BYTES}-byte limit`),
    );
  }

  attach(stream: Readable): void {
    stream.on('data', (chunk: Buffer) => this.push(chunk));
    stream.on('end', () => this.splitter.end());
    stream.on('error', () => this.splitter.end());
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  end(): void {
    this.splitter.end();
  }

  warnings(): string[] {
    const out: string[] = [];
    if (this.rejected > 0) out.push(`${this.rejected} malformed event line(s) ignored; first: ${this.firstRejection}`);
    if (this.dropped > 0) out.push(`${this.dropped} event(s) beyond the ${MAX_EVENTS}-event cap were not stored`);
    return out;
  }

  private accept(line: string): void {
    const trimmed = line.trim();
    if (trimmed === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch {
      return this.reject(`not JSON: ${JSON.stringify(trimmed.slice(0, 60))}`);
    }
    const parsed = workloadEventLine.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.reject(`${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'} in ${JSON.stringify(trimmed.slice(0, 60))}`);
    }
    if (this.events.length >= MAX_EVENTS) {
      this.dropped++;
      return;
    }
    const t = this.now();
    const e = parsed.data;
    switch (e.ev) {
      case 'task-start':
      case 'task-end':
        this.events.push({ t, kind: e.ev, task: e.task, pid: e.pid, tid: e.tid });
        break;
      case 'lag':
        this.events.push({ t, kind: 'lag', lagMs: e.lagMs, pid: e.pid, tid: e.tid });
        break;
      case 'metric':
        this.events.push({ t, kind: 'metric', name: e.name, value: e.value, unit: e.unit, pid: e.pid });
        break;
    }
  }

  private reject(why: string): void {
    this.rejected++;
    this.firstRejection ??= why;
  }
}
