// Keeps a workload's stdout/stderr up to a cap; past it the rest is counted and dropped, so a
// workload that floods its output cannot exhaust the profiler's memory.
import type { Readable } from 'node:stream';

export const OUTPUT_CAP_BYTES = 4 * 1024 * 1024;

export class OutputCapture {
  private chunks: Buffer[] = [];
  private kept = 0;
  droppedBytes = 0;

  constructor(private readonly cap = OUTPUT_CAP_BYTES) {}

  attach(stream: Readable | null): void {
    stream?.on('data', (chunk: Buffer) => this.push(chunk));
  }

  push(chunk: Buffer): void {
    const room = this.cap - this.kept;
    if (room <= 0) {
      this.droppedBytes += chunk.length;
      return;
    }
    const piece = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(piece);
    this.kept += piece.length;
    this.droppedBytes += chunk.length - piece.length;
  }

  get truncated(): boolean {
    return this.droppedBytes > 0;
  }

  text(): string {
    const body = Buffer.concat(this.chunks, this.kept).toString('utf8');
    return this.truncated ? `${body}\n[corescope: output truncated after ${this.cap} bytes; ${this.droppedBytes} more bytes dropped]\n` : body;
  }
}
