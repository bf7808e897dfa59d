// Splits a byte stream into lines with a hard cap on line length, so a workload that writes a
// 10 MB line (or binary with no newlines) costs bounded memory and yields a counted rejection.

export type LineSink = (line: string) => void;
export type OverflowSink = (droppedBytes: number) => void;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowing = false;
  private dropped = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: LineSink,
    private readonly onOverflow: OverflowSink,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      this.append(chunk.subarray(start, end));
      if (nl < 0) return;
      this.finishLine();
      start = nl + 1;
    }
  }

  /** Flushes an unterminated last line at end of stream. */
  end(): void {
    if (this.size > 0 || this.overflowing) this.finishLine();
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.overflowing || this.size + piece.length > this.maxLineBytes) {
      this.overflowing = true;
      this.dropped += this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private finishLine(): void {
    if (this.overflowing) this.onOverflow(this.dropped);
    else if (this.size > 0) this.onLine(Buffer.concat(this.parts, this.size).toString('utf8'));
    this.parts = [];
    this.size = 0;
    this.overflowing = false;
    this.dropped = 0;
  }
}
