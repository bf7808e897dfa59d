// Reads the records the native sampler wrote (format: native/record_format.h) out of one drained
// ArrayBuffer, one at a time: for the current record, which slots it holds and their bytes.
// Slot lookups are flat typed arrays indexed by slot id, stamped with the record's number, so
// moving to the next record clears nothing and a sample allocates only the views it hands out.

const HEADER_BYTES = 32;
const GONE = 0xffffffff;
/** A schedstat byte for byte as the slot's previous entry: no bytes follow (native/record_format.h). */
const UNCHANGED = 0xfffffffe;

export interface NativeRecord {
  pass: number;
  /** CLOCK_MONOTONIC ns when the pass began (process.hrtime's clock). */
  tNs: number;
  /** When it was scheduled to begin. */
  deadlineNs: number;
}

export class NativeRecords {
  private view: DataView | null = null;
  private bytes: Uint8Array | null = null;
  private at = 0;
  /** Increases with every record read, so a stale stamp means "not in this record". */
  private stampNow = 0;
  private stamp = new Uint32Array(256);
  private offset = new Uint32Array(256);
  private length = new Uint32Array(256);
  readonly current: NativeRecord = { pass: 0, tNs: 0, deadlineNs: 0 };

  /** Starts reading the records of one drain. */
  reset(buffer: ArrayBuffer): void {
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    this.at = 0;
  }

  /** Moves to the next record; false when there is none. */
  next(): boolean {
    const v = this.view;
    if (!v || this.at + HEADER_BYTES > v.byteLength) {
      this.view = null;
      return false;
    }
    const start = this.at;
    const byteLength = v.getUint32(start, true);
    if (byteLength < HEADER_BYTES || start + byteLength > v.byteLength) throw new Error(`native sampler: malformed record at byte ${start}`);
    this.current.pass = v.getUint32(start + 4, true);
    this.current.tNs = v.getFloat64(start + 8, true);
    this.current.deadlineNs = v.getFloat64(start + 16, true);
    const entries = v.getUint32(start + 24, true);
    this.stampNow = (this.stampNow + 1) >>> 0 || 1;
    let p = start + HEADER_BYTES;
    for (let k = 0; k < entries; k++) {
      const slot = v.getUint32(p, true);
      const len = v.getUint32(p + 4, true);
      p += 8;
      this.room(slot);
      this.stamp[slot] = this.stampNow;
      this.offset[slot] = p;
      this.length[slot] = len;
      if (len !== GONE && len !== UNCHANGED) p += (len + 3) & ~3;
    }
    this.at = start + byteLength;
    return true;
  }

  /** Whether the current record holds this slot (read, or found gone). */
  has(slot: number): boolean {
    return this.view !== null && slot < this.stamp.length && this.stamp[slot] === this.stampNow;
  }

  /** Whether the current record says the slot reads as its previous entry did (call after has()). */
  unchanged(slot: number): boolean {
    return this.length[slot] === UNCHANGED;
  }

  /** The slot's bytes in the current record (call after has(); not for an unchanged one); null when it was found gone. */
  bytesOf(slot: number): Uint8Array | null {
    const len = this.length[slot];
    return len === GONE || len === 0 ? null : this.bytes!.subarray(this.offset[slot], this.offset[slot] + len);
  }

  /** Done with this drain: nothing is "in the current record" any more. */
  end(): void {
    this.view = null;
    this.bytes = null;
  }

  private room(slot: number): void {
    if (slot < this.stamp.length) return;
    let n = this.stamp.length;
    while (n <= slot) n *= 2;
    const grow = (a: Uint32Array): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.stamp = grow(this.stamp);
    this.offset = grow(this.offset);
    this.length = grow(this.length);
  }
}
