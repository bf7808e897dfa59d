// Samples of one run in columnar typed arrays, grown in fixed chunks (no copying on growth).
// Fractions are kept as 16-bit fixed point: a 10-minute run at 100 Hz on 128 cores with 200
// threads then needs ~97 MB instead of ~700 MB as plain JS arrays.
import type { CoreUsage, ProcessInfo, RunSamples, ThreadInfo } from '../../shared/types';

const CHUNK = 4096;
const ABSENT = 0xffff;
const SCALE = 0xfffe;

interface Chunk {
  t: Float64Array;
  /** [sample * coreCount * 3 + core * 3 + state], state: 0 user, 1 system, 2 iowait. */
  cores: Uint16Array;
  workload: Float32Array;
  /** By thread column (arrays, not maps: append visits every live thread at every sample). */
  threadCpu: (Uint16Array | undefined)[];
  threadCore: (Uint16Array | undefined)[];
}

export interface ThreadPoint {
  index: number;
  /** Share of one core used since the previous sample (0..1). */
  cpu: number;
  core: number;
}

/** A thread column's first length: a column grows by doubling, up to the chunk, as samples fill it. */
const FIRST_COLUMN = 256;

/**
 * `column` (absent: none yet) long enough to hold position `i`: grown by doubling, up to CHUNK,
 * the new part ABSENT. Sized to what it holds, not the chunk: at 2,000 threads two chunk-long
 * columns each were 32 MB, written in full at the first sample, for a run of a few hundred.
 */
function grownColumn(column: Uint16Array | undefined, i: number): Uint16Array {
  let n = Math.max(FIRST_COLUMN, column?.length ?? 0);
  while (n <= i) n *= 2;
  const out = new Uint16Array(Math.min(CHUNK, n)).fill(ABSENT);
  if (column) out.set(column);
  return out;
}

const enc = (x: number): number => Math.max(0, Math.min(SCALE, Math.round(x * SCALE)));
const dec = (v: number): number => (v === ABSENT ? NaN : v / SCALE);

export class SampleStore {
  private readonly chunks: Chunk[] = [];
  length = 0;

  constructor(readonly coreCount: number) {}

  append(t: number, cores: CoreUsage[], workloadCores: number, threads: ThreadPoint[]): void {
    const ci = Math.floor(this.length / CHUNK);
    const i = this.length % CHUNK;
    if (ci === this.chunks.length) this.chunks.push(this.newChunk());
    const c = this.chunks[ci];
    c.t[i] = t;
    const base = i * this.coreCount * 3;
    for (let k = 0; k < this.coreCount; k++) {
      const u = cores[k] ?? { user: 0, system: 0, iowait: 0, idle: 1 };
      c.cores[base + k * 3] = enc(u.user);
      c.cores[base + k * 3 + 1] = enc(u.system);
      c.cores[base + k * 3 + 2] = enc(u.iowait);
    }
    c.workload[i] = workloadCores;
    for (const p of threads) {
      let cpu = c.threadCpu[p.index];
      let core = c.threadCore[p.index];
      if (!cpu || !core || i >= cpu.length) {
        cpu = grownColumn(cpu, i);
        core = grownColumn(core, i);
        c.threadCpu[p.index] = cpu;
        c.threadCore[p.index] = core;
      }
      cpu[i] = enc(p.cpu);
      core[i] = p.core < 0 ? ABSENT : p.core;
    }
    this.length++;
  }

  time(i: number): number {
    return this.chunks[Math.floor(i / CHUNK)].t[i % CHUNK];
  }

  workloadCores(i: number): number {
    return this.chunks[Math.floor(i / CHUNK)].workload[i % CHUNK];
  }

  coreUsage(i: number, core: number): { user: number; system: number; iowait: number } {
    const c = this.chunks[Math.floor(i / CHUNK)];
    const base = (i % CHUNK) * this.coreCount * 3 + core * 3;
    return { user: dec(c.cores[base]), system: dec(c.cores[base + 1]), iowait: dec(c.cores[base + 2]) };
  }

  /** CPU share of one thread at sample i (NaN when it was not alive). */
  threadCpu(i: number, thread: number): number {
    const col = this.chunks[Math.floor(i / CHUNK)].threadCpu[thread];
    const j = i % CHUNK;
    return col && j < col.length ? dec(col[j]) : NaN;
  }

  threadCore(i: number, thread: number): number {
    const col = this.chunks[Math.floor(i / CHUNK)].threadCore[thread];
    const j = i % CHUNK;
    const v = col && j < col.length ? col[j] : ABSENT;
    return v === ABSENT ? -1 : v;
  }

  byteLength(): number {
    let n = 0;
    for (const c of this.chunks) {
      n += c.t.byteLength + c.cores.byteLength + c.workload.byteLength;
      for (const a of c.threadCpu) n += a?.byteLength ?? 0;
      for (const a of c.threadCore) n += a?.byteLength ?? 0;
    }
    return n;
  }

  /** Plain arrays for samples [from, to), for live batches, sessions and exporters. */
  toColumns(from: number, to: number, threadCount: number): Omit<RunSamples, 'rateHz' | 'coreCount' | 'threads' | 'processes'> {
    const n = Math.max(0, Math.min(to, this.length) - from);
    const t: number[] = new Array(n);
    const workloadCores: number[] = new Array(n);
    const coreUser = Array.from({ length: this.coreCount }, () => new Array<number>(n));
    const coreSystem = Array.from({ length: this.coreCount }, () => new Array<number>(n));
    const coreIowait = Array.from({ length: this.coreCount }, () => new Array<number>(n));
    const threadCpu = Array.from({ length: threadCount }, () => new Array<number>(n));
    const threadCore = Array.from({ length: threadCount }, () => new Array<number>(n));
    for (let j = 0; j < n; j++) {
      const i = from + j;
      t[j] = this.time(i);
      workloadCores[j] = this.workloadCores(i);
      for (let k = 0; k < this.coreCount; k++) {
        const u = this.coreUsage(i, k);
        coreUser[k][j] = u.user;
        coreSystem[k][j] = u.system;
        coreIowait[k][j] = u.iowait;
      }
    }
    // Thread by thread, one chunk's run of samples at a time: each output column is written in
    // order from one typed array, where sample by sample it visited every thread's column (2,000
    // threads × a 10 s run at 20 Hz was 400,000 scattered look-ups at the run's end).
    for (let th = 0; th < threadCount; th++) this.threadColumns(th, from, n, threadCpu[th], threadCore[th]);
    return { t, workloadCores, coreUser, coreSystem, coreIowait, threadCpu, threadCore };
  }

  /** Samples [from, from + n) of one thread into `cpu` (NaN where not alive) and `core` (-1 where unknown), from index 0. */
  private threadColumns(thread: number, from: number, n: number, cpu: number[], core: number[]): void {
    for (let j = 0; j < n; ) {
      const i = from + j;
      const chunk = this.chunks[Math.floor(i / CHUNK)];
      const start = i % CHUNK;
      const run = Math.min(CHUNK - start, n - j);
      const cpuCol = chunk.threadCpu[thread];
      const coreCol = chunk.threadCore[thread];
      // Columns hold positions up to their length; beyond, the thread was not alive (yet).
      const held = Math.max(0, Math.min(run, (cpuCol?.length ?? 0) - start));
      for (let k = 0; k < held; k++) {
        cpu[j + k] = dec(cpuCol![start + k]);
        const c = coreCol![start + k];
        core[j + k] = c === ABSENT ? -1 : c;
      }
      for (let k = held; k < run; k++) {
        cpu[j + k] = NaN;
        core[j + k] = -1;
      }
      j += run;
    }
  }

  toRunSamples(rateHz: number, threads: ThreadInfo[], processes: ProcessInfo[]): RunSamples {
    return { rateHz, coreCount: this.coreCount, ...this.toColumns(0, this.length, threads.length), threads, processes };
  }

  private newChunk(): Chunk {
    return {
      t: new Float64Array(CHUNK),
      cores: new Uint16Array(CHUNK * this.coreCount * 3),
      workload: new Float32Array(CHUNK),
      threadCpu: [],
      threadCore: [],
    };
  }
}
