// How late each sample was taken against its schedule (actual − scheduled wake-up), kept as a
// fixed histogram so a run of hours costs the same 40 kB: 10 µs bins up to 100 ms, then
// the maximum alone. Percentiles are read at bin resolution (the upper edge of the bin).

const BIN_MS = 0.01;
const BINS = 10000;

export interface JitterSummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class JitterStats {
  private readonly bins = new Uint32Array(BINS + 1);
  private count = 0;
  private max = 0;

  /** One sample, `lateMs` after its scheduled time (early counts as on time). */
  add(lateMs: number): void {
    const late = Math.max(0, lateMs);
    this.bins[Math.min(BINS, Math.floor(late / BIN_MS))]++;
    this.count++;
    if (late > this.max) this.max = late;
  }

  summary(): JitterSummary | null {
    if (this.count === 0) return null;
    return { samples: this.count, p50Ms: this.percentile(50), p99Ms: this.percentile(99), maxMs: this.max };
  }

  private percentile(p: number): number {
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i <= BINS; i++) {
      seen += this.bins[i];
      if (seen >= rank) return i === BINS ? this.max : Math.min(this.max, (i + 1) * BIN_MS);
    }
    return this.max;
  }
}
