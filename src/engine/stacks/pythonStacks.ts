// Reads what the Python stack probe (workloads/stacks/corescope_stack_probe.py, started by the
// sitecustomize.py next to it) wrote during a run: one file per Python process,
// <dir>/py-<pid>.jsonl, into a StackSamplesBuilder, with one StackSource per file.
//
// The format (JSON lines, documented in full in the probe's header comment). A file holds one or
// more segments, each from a header line (a second header: the process exec'd another Python under
// the same pid); ids are per segment and defined before use:
//   {"corescope":"python-stacks","v":1,"pid":P,"ppid":PP,"hz":100,"base":"<ns>",...}
//        base: time.monotonic_ns() at the segment's start (CLOCK_MONOTONIC, the clock of
//        process.hrtime.bigint()), a decimal string; sample times are microseconds after it
//   ["f",id,"name","file",line]   a frame
//   ["k",id,f0,f1,...]            a stack: frame ids, outermost call first
//   ["n",id,"name"]               a thread's or task's name
//   ["s",dt,tid,name,stack,cpu]   a thread's sample (cpu: us since the thread's previous sample, -1 unknown)
//   ["a",dt,tid,name,stack]       a suspended asyncio task's sample (tid: the thread running its loop)
//   {"note":"..."}                something the probe could not do
//   {"end":dt,"ticks":n,"missed":n,...}  the probe's exit flush (absent: the process ended
//                                abruptly); fewer than 60 % of its planned ticks taken is noted
//                                (its thread waits for the GIL: samples are sparser than rateHz)
//
// Never throws on what it reads: a line that does not parse or make sense is skipped and counted,
// and the file's source says so. The whole run keeps at most MAX_STACK_SAMPLES samples.
import fs from 'node:fs';
import path from 'node:path';
import type { StackSampleKind, StackSamplesBuilder, StackSource } from '../../shared/stackSamples';
import { countText } from '../../shared/countText';

/** The most samples a run keeps from its Python probes; the rest is left unread, with a note. */
export const MAX_STACK_SAMPLES = 2_000_000;
/** The format version this reader knows. */
export const PYTHON_STACKS_VERSION = 1;

const FILE_NAME = /^py-(\d{1,10})\.jsonl$/;
/** A longer line is not something the probe writes (a stack of 257 frames is ~2 KB). */
const MAX_LINE_BYTES = 1 << 20;
const CHUNK_BYTES = 1 << 20;
/** Sample times beyond this after their segment's start (µs; ~116 days) are garbage. */
const MAX_DT_US = 1e13;
const MAX_NOTE_CHARS = 300;
/** Below this share of its planned ticks taken, a source says so (its samples are sparser than rateHz says). */
const LOW_RATE_SHARE = 0.6;
const MIN_PLANNED_FOR_RATE_NOTE = 20;

/**
 * Reads every probe file in `dir` (a missing dir: nothing) into `into`: its samples, at ms since
 * t0Ns (the run's start, process.hrtime.bigint()), and one source per file. `maxSamples` (tests)
 * lowers the run's cap.
 */
export function readPythonStacks(dir: string, t0Ns: bigint, into: StackSamplesBuilder, maxSamples = MAX_STACK_SAMPLES): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // no probe ran (python -I / -E, no Python at all), or the directory is gone
  }
  const files = names
    .map((name) => ({ name, m: FILE_NAME.exec(name) }))
    .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null)
    .map((f) => ({ file: path.join(dir, f.name), pid: Number(f.m[1]) }))
    .sort((a, b) => a.pid - b.pid);
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (const f of files) {
    if (into.count >= maxSamples) {
      into.source({ pid: f.pid, runtime: 'python', samples: 0, note: `not read: the run already has ${countText(maxSamples)} stack samples` });
      continue;
    }
    const reader = new FileReader(f.pid, t0Ns, into, maxSamples);
    try {
      readLines(f.file, chunk, reader);
      into.source(reader.source());
    } catch (err) {
      // Unreadable file (permissions, a directory named like a file), or a bug: never the caller's problem.
      const why = `could not be read to the end: ${err instanceof Error ? err.message : String(err)}`.slice(0, MAX_NOTE_CHARS);
      into.source({ pid: f.pid, runtime: 'python', samples: reader.samples, note: joinNotes([...reader.notes(), why]) });
    }
  }
}

/**
 * Hands every complete line of the file to `to.line`, reading it in chunks (a probe file can be
 * 50 MB). A last line without its newline is the write the process was killed in: `to.cut()`, not
 * parsed. A line longer than MAX_LINE_BYTES is dropped: `to.overlong()`.
 */
function readLines(file: string, chunk: Buffer, to: LineSink): void {
  const fd = fs.openSync(file, 'r');
  try {
    let carry: Buffer[] = [];
    let carryLen = 0;
    let skipping = false; // inside an overlong line: drop bytes up to its newline
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n <= 0) break;
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0 || nl >= n) break;
        if (skipping) {
          skipping = false;
        } else if (carryLen + (nl - start) > MAX_LINE_BYTES) {
          to.overlong();
        } else {
          const piece = chunk.subarray(start, nl);
          const text = carryLen ? Buffer.concat([...carry, piece]).toString('utf8') : piece.toString('utf8');
          if (!to.line(text)) return;
        }
        carry = [];
        carryLen = 0;
        start = nl + 1;
      }
      if (start < n && !skipping) {
        if (carryLen + (n - start) > MAX_LINE_BYTES) {
          to.overlong();
          skipping = true;
          carry = [];
          carryLen = 0;
        } else {
          carry.push(Buffer.from(chunk.subarray(start, n)));
          carryLen += n - start;
        }
      }
    }
    if (carryLen > 0) to.cut();
  } finally {
    fs.closeSync(fd);
  }
}

interface LineSink {
  /** false: stop reading. */
  line(text: string): boolean;
  cut(): void;
  overlong(): void;
}

type Json = unknown;

const isId = (v: Json): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** One file's reading: its segments' id tables, what it added, and what went wrong. */
class FileReader implements LineSink {
  samples = 0;
  private segments = 0;
  private offsetMs = NaN; // the current segment's base, in ms after t0
  private frames = new Map<number, number>();
  private stacks = new Map<number, number[]>();
  private names = new Map<number, string>();
  private ended = false;
  /** The probe thread's own CPU from the end records; undefined when no end record said it. */
  private probeCpuUs: number | undefined;
  /** The last exit record's tick counts: how many of its planned samples the probe took. */
  private rate: { ticks: number; missed: number } | undefined;
  private headerless = 0;
  private bad = 0;
  private unknownRefs = 0;
  private badVersion = 0;
  private isCut = false;
  private overlongLines = 0;
  private capped = false;
  private readonly probeNotes: string[] = [];

  constructor(
    private readonly pid: number,
    private readonly t0Ns: bigint,
    private readonly into: StackSamplesBuilder,
    private readonly maxSamples: number,
  ) {}

  /** One line; false stops reading the file (the run's sample cap). */
  line(text: string): boolean {
    if (text.length === 0) return true;
    let v: Json;
    try {
      v = JSON.parse(text);
    } catch {
      this.bad++;
      return true;
    }
    if (Array.isArray(v)) return this.record(v);
    if (v !== null && typeof v === 'object') this.object(v as Record<string, Json>);
    else this.bad++;
    return true;
  }

  cut(): void {
    this.isCut = true;
  }

  overlong(): void {
    this.overlongLines++;
  }

  private object(o: Record<string, Json>): void {
    if (o.corescope === 'python-stacks') {
      this.header(o);
    } else if (typeof o.note === 'string') {
      const note = o.note.slice(0, MAX_NOTE_CHARS);
      if (!this.probeNotes.includes(note) && this.probeNotes.length < 20) this.probeNotes.push(note);
    } else if (typeof o.end === 'number') {
      if (this.segments > 0) {
        this.ended = true;
        const ticks = o.ticks;
        const missed = o.missed;
        this.rate = isId(ticks) && isId(missed) ? { ticks, missed } : undefined;
        // The probe thread's own CPU, summed over segments (an exec starts a new one).
        if (isId(o.probeCpuUs)) this.probeCpuUs = (this.probeCpuUs ?? 0) + o.probeCpuUs;
      }
    } else {
      this.bad++;
    }
  }

  private header(o: Record<string, Json>): void {
    this.segments++;
    this.frames = new Map();
    this.stacks = new Map();
    this.names = new Map();
    this.ended = false;
    this.rate = undefined;
    this.offsetMs = NaN;
    if (o.v !== PYTHON_STACKS_VERSION) {
      this.badVersion++;
      return;
    }
    if (typeof o.base !== 'string' || !/^\d{1,30}$/.test(o.base)) {
      this.bad++;
      return;
    }
    const offset = Number(BigInt(o.base) - this.t0Ns) / 1e6;
    if (Number.isFinite(offset)) this.offsetMs = offset;
    else this.bad++;
  }

  private record(a: Json[]): boolean {
    const tag = a[0];
    if (this.segments === 0 || Number.isNaN(this.offsetMs)) {
      // Before any header, or in a segment whose header this reader cannot use.
      if (this.segments === 0) this.headerless++;
      return true;
    }
    switch (tag) {
      case 's':
      case 'a':
        return this.sample(a, tag === 'a' ? 'task' : 'thread');
      case 'f': {
        const [, id, name, file, line] = a;
        if (!isId(id) || typeof name !== 'string' || typeof file !== 'string' || a.length !== 5) {
          this.bad++;
          return true;
        }
        this.frames.set(id, this.into.frameId({ name, file, line: isId(line) ? line : 0 }));
        return true;
      }
      case 'k': {
        const id = a[1];
        if (!isId(id)) {
          this.bad++;
          return true;
        }
        const ids: number[] = [];
        for (let i = 2; i < a.length; i++) {
          const fid = isId(a[i]) ? this.frames.get(a[i] as number) : undefined;
          if (fid === undefined) {
            this.unknownRefs++;
            this.stacks.delete(id);
            return true;
          }
          ids.push(fid);
        }
        this.stacks.set(id, ids);
        return true;
      }
      case 'n': {
        const [, id, name] = a;
        if (!isId(id) || typeof name !== 'string') {
          this.bad++;
          return true;
        }
        this.names.set(id, name);
        return true;
      }
      default:
        this.bad++;
        return true;
    }
  }

  private sample(a: Json[], kind: StackSampleKind): boolean {
    const [, dt, tid, nameId, stackId, cpu] = a;
    if (typeof dt !== 'number' || !(dt >= 0 && dt <= MAX_DT_US) || !isId(tid) || tid > 0x7fffffff || !isId(nameId) || !isId(stackId)) {
      this.bad++;
      return true;
    }
    const stack = this.stacks.get(stackId);
    if (stack === undefined) {
      this.unknownRefs++;
      return true;
    }
    if (this.into.count >= this.maxSamples) {
      this.capped = true;
      return false;
    }
    const cpuMs = kind === 'thread' && typeof cpu === 'number' && cpu >= 0 && cpu <= MAX_DT_US ? cpu / 1000 : NaN;
    this.into.addInterned(this.offsetMs + dt / 1000, this.pid, tid, stack, cpuMs, kind, this.names.get(nameId) ?? '');
    this.samples++;
    return true;
  }

  notes(): string[] {
    const out = [...this.probeNotes];
    if (this.segments === 0) out.push('not a CoreScope stack file (no header)');
    if (this.badVersion) out.push(`written in a format this CoreScope does not know (not version ${PYTHON_STACKS_VERSION}): ${this.badVersion === this.segments ? 'not read' : 'partly read'}`);
    if (this.capped) out.push(`cut at the run's cap of ${countText(this.maxSamples)} stack samples: the rest was not read`);
    if (this.isCut) out.push('the last line was cut short (the process was killed while writing it)');
    const skipped = this.bad + this.headerless + this.overlongLines;
    if (skipped) out.push(`${countText(skipped)} unreadable line${skipped === 1 ? '' : 's'} skipped`);
    if (this.unknownRefs) out.push(`${countText(this.unknownRefs)} record${this.unknownRefs === 1 ? '' : 's'} referring to undefined frames or stacks skipped`);
    const r = this.rate;
    if (r && r.ticks + r.missed >= MIN_PLANNED_FOR_RATE_NOTE && r.ticks < LOW_RATE_SHARE * (r.ticks + r.missed)) {
      out.push(`took ${countText(r.ticks)} of its ${countText(r.ticks + r.missed)} planned samples: its thread queues for the GIL like any other, and behind busy threads it wins only some hand-overs`);
    }
    if (this.segments > 0 && !this.ended && !this.capped) out.push('no exit record: the process ended abruptly (killed, os._exit or exec), so its last ~0.2 s of samples are missing');
    return out;
  }

  source(): StackSource {
    const note = joinNotes(this.notes());
    const src: StackSource = { pid: this.pid, runtime: 'python', samples: this.samples, ...(this.probeCpuUs !== undefined ? { probeCpuMs: this.probeCpuUs / 1000 } : {}) };
    return note ? { ...src, note } : src;
  }
}

function joinNotes(notes: string[]): string | undefined {
  return notes.length ? notes.join('; ') : undefined;
}
