// The native sampler, seen from JavaScript: a native thread (native/sampler_core.cc) wakes on an
// absolute schedule and reads every followed file into records; JavaScript is not woken per
// sample. At the live-batch rate Run drains the records and replays each one, in order, through
// the unchanged accounting: during a replay each file hands out the bytes the thread read at that
// sample's instant.
//
// Discovery stays in JavaScript (it runs during a replay, on the live tree): opening a file adds
// it to the thread's reads, closing it drops it. A file JavaScript wants that the record lacks
// (new since the record was taken, or a read the native plan skipped) is read live once per
// drain and that reading reused for the drain's other records, so a replay costs few syscalls.
import { procOpenFailures, ProcFile } from '../proc/procFile';
import { JitterStats } from './jitterStats';
import { NATIVE_ROLE, type NativeAddon, type NativeHandle } from './nativeAddon';
import { NativeRecords } from './nativeRecords';
import type { FileRole, SampledFile, SampleSource } from './sampleSource';
import { samplerNote } from './samplerNote';

const EMFILE = 24;
const ENFILE = 23;
/** Records kept for JavaScript if it stops draining (a blocked event loop): beyond, samples are dropped and counted. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

export interface NativeSchedule {
  rateHz: number;
  /** The tree sampler's slow and refresh cadences (passPlan.ts), which the native plan mirrors. */
  slowEvery: number;
  statEvery: number;
  /** The number of the first native pass: the one after the last pass JavaScript took itself. */
  firstPass: number;
  /**
   * Called soon after a pass in which a pid was taken or a followed file was found gone: a thread
   * or process of the tree may be new, or a parent may have reaped a child, and only JavaScript
   * discovers and settles exits. Replaying then reads the newcomer's files within a pass of its
   * birth, and the parent's reaped CPU at the exit (as the JavaScript sampler does), rather than
   * up to a drain later, when those live readings would land on samples taken before them.
   * Between such passes the records hold every file a replay reads, so the drain period moves
   * nothing in time.
   */
  onTreeChange?: () => void;
}

export class NativeSampleSource implements SampleSource {
  readonly kind = 'native';
  readonly jitter = new JitterStats();
  private readonly handle: NativeHandle;
  private readonly records = new NativeRecords();
  /** A replay is under way: files answer from the current record. */
  private replaying = false;
  /** Drains so far: a file's live reading is reused within one drain. */
  private batch = 0;
  private started = false;
  private startFailed = false;
  private dropped = 0;
  /** close() closed every descriptor: a file's own close() has nothing left to drop. */
  private closedAll = false;

  constructor(private readonly addon: NativeAddon) {
    this.handle = addon.create();
  }

  open(path: string, role: FileRole, pid = 0, tid = 0): SampledFile | null {
    // Other threads' children files are read only when JavaScript looks for children: not per sample.
    if (role === 'task-children') return ProcFile.open(path);
    const slot = this.addon.add(this.handle, path, NATIVE_ROLE[role], pid, tid);
    if (slot < 0) {
      if (slot === -EMFILE || slot === -ENFILE) procOpenFailures.noDescriptors++;
      return null;
    }
    return new NativeFile(this, slot);
  }

  /** Starts the thread; false when it could not (the caller then samples on its own timer). */
  start(s: NativeSchedule): boolean {
    this.started = this.addon.start(this.handle, Math.round(1e9 / s.rateHz), s.slowEvery, s.statEvery, s.firstPass, MAX_PENDING_BYTES, s.onTreeChange);
    this.startFailed = !this.started;
    return this.started;
  }

  /** No sample begins after this; the records already taken can still be replayed. */
  stop(): void {
    this.addon.stop(this.handle);
  }

  /**
   * Replays every record taken since the last call, oldest first: `each(tMs, pass)` is called
   * with tMs the sample's measured time in ms after `originNs` (a process.hrtime.bigint() value).
   */
  replay(originNs: bigint, each: (tMs: number, pass: number) => void): number {
    const { records, dropped } = this.addon.drain(this.handle);
    this.dropped = dropped;
    if (!records) return 0;
    const origin = Number(originNs);
    this.records.reset(records);
    this.batch++;
    this.replaying = true;
    let n = 0;
    try {
      while (this.records.next()) {
        const r = this.records.current;
        this.jitter.add((r.tNs - r.deadlineNs) / 1e6);
        each((r.tNs - origin) / 1e6, r.pass);
        n++;
      }
    } finally {
      this.replaying = false;
      this.records.end();
    }
    return n;
  }

  note(): string {
    const dropped = this.dropped ? `${this.dropped} sample(s) were dropped because the JavaScript side did not drain them in time.` : '';
    if (this.startFailed) return samplerNote('the JavaScript sampler (the native sampler loaded but its thread could not start)', this.jitter.summary());
    return samplerNote('the native sampler (its own thread, absolute deadlines, pread of kept-open /proc files)', this.jitter.summary(), dropped);
  }

  measuredBy(): 'native' | 'js' {
    return this.started ? 'native' : 'js';
  }

  /** The native thread's tid, once it started (tests, the bench). */
  threadTid(): number {
    return this.addon.threadTid(this.handle);
  }

  /**
   * Stops the thread and closes every file it follows in one call: at 2,000 threads the run's end
   * otherwise made 4,000 drop() calls, each a Node-API call and a search under the lock. The
   * files' own close() then has nothing left to do.
   */
  close(): void {
    this.addon.stop(this.handle);
    if (!this.addon.closeAll) return;
    this.addon.closeAll(this.handle);
    this.closedAll = true;
  }

  /** @internal Whether the current record says the file reads as at its previous entry. */
  unchangedIn(file: NativeFile): boolean {
    return this.replaying && this.records.has(file.slot) && this.records.unchanged(file.slot);
  }

  /**
   * @internal NativeFile's read: the current record's bytes, else a live read (reused within a
   * drain). An unchanged entry carries no bytes: a reader that wants them anyway (the tree sampler
   * asks unchanged() first and reads nothing) gets the live read, as for a file the record lacks.
   */
  bytesOf(file: NativeFile): Uint8Array | null {
    if (!this.replaying) return this.addon.readNow(this.handle, file.slot);
    if (this.records.has(file.slot) && !this.records.unchanged(file.slot)) return this.records.bytesOf(file.slot);
    if (file.liveBatch !== this.batch) {
      file.live = this.addon.readNow(this.handle, file.slot);
      file.liveBatch = this.batch;
    }
    return file.live;
  }

  /** @internal */
  drop(slot: number): void {
    if (this.closedAll) return;
    this.addon.drop(this.handle, slot);
  }
}

/** A file the native thread reads at every pass it needs it. */
class NativeFile implements SampledFile {
  /** The live reading of the drain numbered liveBatch. */
  live: Uint8Array | null = null;
  liveBatch = -1;
  private closed = false;

  constructor(
    private readonly source: NativeSampleSource,
    readonly slot: number,
  ) {}

  readBytes(): Uint8Array | null {
    return this.closed ? null : this.source.bytesOf(this);
  }

  unchanged(): boolean {
    return !this.closed && this.source.unchangedIn(this);
  }

  read(): string | null {
    const b = this.readBytes();
    return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live = null;
    this.source.drop(this.slot);
  }
}
