// The Node.js profile reader: real V8 CPU profiles (test/fixtures/stacks/node, recorded with
// record.ts there), the matching of a worker's profile to its thread on synthetic CPU series, the
// NODE_OPTIONS it builds, and damaged or hostile files, which are noted and never thrown.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StackSamplesBuilder, leafFrame, type StackSamples } from '../../src/shared/stackSamples';
import {
  NODE_PROBE_PRELOAD,
  busyCpuSimilarity,
  mapWorkers,
  nodeProbeIntervalUs,
  nodeProbeOptions,
  quoteNodeOption,
  readNodeProfiles,
  type BusyTimeline,
  type NodeProfilesContext,
  type NodeProfilesLimits,
  type NodeProfilesSummary,
  type NodeThreadSeries,
} from '../../src/engine/stacks/nodeProfiles';

const FIXTURES = join(__dirname, '..', 'fixtures', 'stacks', 'node');
const PID = 4242;

interface Profile {
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
  nodes: { id: number; callFrame: { functionName: string } }[];
}
const loadFixture = (kind: string, threadId: number): Profile => {
  const name = readdirSync(join(FIXTURES, kind)).find((n) => n.includes(`.${PID}.${threadId}.`))!;
  return JSON.parse(readFileSync(join(FIXTURES, kind, name), 'utf8')) as Profile;
};

/** t0 a little before a profile's start, as the run's t0 is before its program starts. */
const t0Before = (p: Profile, ms: number): bigint => BigInt(Math.round(p.startTime)) * 1000n - BigInt(ms * 1e6);

function read(dir: string, t0: bigint, ctx: Partial<NodeProfilesContext> = {}, limits?: NodeProfilesLimits): { s: StackSamples; summary: NodeProfilesSummary } {
  const b = new StackSamplesBuilder(100);
  const summary = readNodeProfiles(dir, t0, b, { nodePids: ctx.nodePids ?? [], threadsOf: ctx.threadsOf ?? (() => []) }, limits);
  return { s: b.build(), summary };
}

const names = (s: StackSamples, i: number): string[] => s.stacks[s.stack[i]].map((f) => s.frames[f].name);

let tmp: string | null = null;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
});
function folder(files: Record<string, string | Buffer>): string {
  tmp = mkdtempSync(join(tmpdir(), 'corescope-nodeprof-'));
  for (const [n, text] of Object.entries(files)) writeFileSync(join(tmp, n), text);
  return tmp;
}

describe('nodeProbeOptions', () => {
  it("puts the preload first, quoted, and keeps the user's options as they were", () => {
    const dir = folder({});
    const probe = join(dir, 'a "b" \\c d');
    const opts = nodeProbeOptions(probe, 100, '--max-old-space-size=123 --require "./x y.js"');
    expect(opts).toBe(`--require "${probe.replace(/[\\"]/g, (c) => `\\${c}`)}/${NODE_PROBE_PRELOAD}" --max-old-space-size=123 --require "./x y.js"`);
    const preload = readFileSync(join(probe, NODE_PROBE_PRELOAD), 'utf8');
    expect(preload).toContain('interval = 10000;');
    expect(preload).toContain(JSON.stringify(probe));
    expect(nodeProbeOptions(probe, 100, undefined)).toBe(opts.split(' --max')[0]);
    expect(nodeProbeOptions(probe, 100, '  ')).toBe(opts.split(' --max')[0]);
  });

  it('samples every 1/rate s, in µs', () => {
    expect(nodeProbeIntervalUs(100)).toBe(10_000);
    expect(nodeProbeIntervalUs(1000)).toBe(1000);
    expect(nodeProbeIntervalUs(0)).toBe(1000);
    expect(nodeProbeIntervalUs(NaN)).toBe(1000);
    expect(nodeProbeIntervalUs(1e9)).toBe(50);
  });

  it('quotes as NODE_OPTIONS unquotes', () => {
    expect(quoteNodeOption('/a b/c')).toBe('"/a b/c"');
    expect(quoteNodeOption('x"y\\z')).toBe('"x\\"y\\\\z"');
  });
});

describe('readNodeProfiles on real profiles', () => {
  it('reads a main thread blocked in fib(): frames, lines, times, CPU, idle left out', () => {
    const p = loadFixture('main', 0);
    const { s, summary } = read(join(FIXTURES, 'main'), t0Before(p, 50), { nodePids: [PID] });
    expect(s.sources).toEqual([{ pid: PID, runtime: 'node', samples: s.t.length }]);
    const idleNodes = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    const idle = p.samples.filter((id) => idleNodes.has(id)).length;
    expect(idle).toBeGreaterThan(0);
    expect(summary).toMatchObject({ files: 1, idle, samples: p.samples.length - idle });
    expect(s.t.length).toBe(p.samples.length - idle);

    // Times: ms since t0, inside the profile's span.
    const endMs = (p.endTime - p.startTime) / 1000 + 50;
    for (let i = 0; i < s.t.length; i++) {
      expect(s.t[i]).toBeGreaterThanOrEqual(50);
      expect(s.t[i]).toBeLessThanOrEqual(endMs + 0.001);
      expect(s.tid[i]).toBe(PID);
      expect(s.pid[i]).toBe(PID);
      expect(s.threadName[i]).toBe('main');
      expect(s.task[i]).toBe(0);
      expect(s.cpuMs[i]).toBeGreaterThanOrEqual(0);
      expect(s.cpuMs[i]).toBeLessThan(100);
    }
    const inFib = s.t.map((_, i) => i).filter((i) => leafFrame(s, i)?.name === 'fib');
    expect(inFib.length / s.t.length).toBeGreaterThan(0.5);
    for (const i of inFib) {
      const f = leafFrame(s, i)!;
      expect(f.file).toBe('/fixture/main.js');
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.line).toBeLessThanOrEqual(3);
      // Outer frames: file paths without file://, V8's '(root)' left out.
      expect(names(s, i)[0]).not.toBe('(root)');
    }
    // The cpuMs of a sample is its interval: they add up to about the busy span.
    const total = s.cpuMs.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(250);
    expect(total).toBeLessThan(endMs);
    // (program) and (garbage collector) stay as frames of their own when V8 sampled them.
    for (const fr of s.frames) expect(fr.name).not.toBe('(idle)');
    for (const fr of s.frames) expect(fr.name).not.toBe('');
  });

  it("puts a worker's profile on the thread whose measured CPU matches it, each thread once", () => {
    const main = loadFixture('worker', 0);
    const worker = loadFixture('worker', 1);
    const t0 = t0Before(main, 20);
    const toMs = (us: number): number => (us - Number(t0 / 1000n)) / 1000;
    // The worker's thread: on a core from its profile's first to its last busy sample.
    const wStart = toMs(worker.startTime);
    const wEnd = toMs(worker.endTime);
    const grid = Array.from({ length: Math.ceil(toMs(main.endTime) / 20) + 5 }, (_, i) => i * 20);
    const series = (cpuAt: (a: number, b: number) => number): { t: number[]; cpu: number[] } => ({ t: grid, cpu: grid.map((b, i) => (i ? cpuAt(grid[i - 1], b) : NaN)) });
    const overlap = (a: number, b: number, from: number, to: number): number => Math.max(0, Math.min(b, to) - Math.max(a, from)) / (b - a);
    const busyFrom = wStart + 100; // hot() starts 100 ms into the worker
    const threads: NodeThreadSeries[] = [
      { tid: PID + 1, name: 'node', role: 'v8-helper', ...series(() => 0.02) },
      { tid: PID + 2, name: 'node', role: 'libuv-pool', ...series((a, b) => overlap(a, b, busyFrom, wEnd)) },
      { tid: PID + 3, name: 'node', role: 'libuv-pool', ...series((a, b) => overlap(a, b, 0, busyFrom - 50)) },
      // Not a candidate: another process's idea of a main thread.
      { tid: PID, name: 'node', role: 'main', ...series((a, b) => overlap(a, b, busyFrom, wEnd)) },
    ];
    const { s, summary } = read(join(FIXTURES, 'worker'), t0, { nodePids: [PID], threadsOf: (pid) => (pid === PID ? threads : []) });
    expect(summary.correlated).toEqual({ workers: 1, matched: 1 });
    const w = s.t.map((_, i) => i).filter((i) => s.threadName[i] === 'worker 1');
    expect(w.length).toBeGreaterThan(20);
    for (const i of w) expect(s.tid[i]).toBe(PID + 2);
    expect(w.filter((i) => names(s, i).includes('hot')).length / w.length).toBeGreaterThan(0.7);
    expect(s.t.map((_, i) => i).filter((i) => s.threadName[i] === 'main').every((i) => s.tid[i] === PID)).toBe(true);

    // Without a measured series for it, the worker's samples say they do not know their thread.
    const none = read(join(FIXTURES, 'worker'), t0, { nodePids: [PID], threadsOf: () => threads.filter((t) => t.tid !== PID + 2) });
    expect(none.summary.correlated).toEqual({ workers: 1, matched: 0 });
    expect(none.s.t.map((_, i) => i).filter((i) => none.s.threadName[i] === 'worker 1').every((i) => none.s.tid[i] === 0)).toBe(true);
  });
});

describe('mapWorkers', () => {
  // A timeline busy over [from, to) at 10 ms samples.
  const timeline = (from: number, to: number, end = to): BusyTimeline => {
    const endMs: number[] = [];
    const busy: boolean[] = [];
    for (let t = from + 10; t <= end; t += 10) {
      endMs.push(t);
      busy.push(t <= to);
    }
    return { startMs: from, endMs, busy };
  };
  const thread = (tid: number, from: number, to: number, level = 1): { tid: number; t: number[]; cpu: number[] } => {
    const t = Array.from({ length: 101 }, (_, i) => i * 20);
    return { tid, t, cpu: t.map((b, i) => (i === 0 ? NaN : b > from && b <= to ? level : 0)) };
  };

  it('tells apart two workers busy at the same time by when each started and ended', () => {
    const long = timeline(100, 1500);
    const short = timeline(400, 800);
    const cands = [thread(11, 400, 800), thread(12, 100, 1500), thread(13, 0, 2000, 0.01)];
    expect(mapWorkers([long, short], cands)).toEqual([12, 11]);
    expect(mapWorkers([short, long], [...cands].reverse())).toEqual([11, 12]);
  });

  it('uses a thread once, and gives no thread to a worker nothing matches', () => {
    const a = timeline(100, 500);
    const b = timeline(120, 480);
    expect(mapWorkers([a, b], [thread(21, 100, 500)])).toEqual([21, 0]);
    expect(mapWorkers([a], [thread(22, 900, 1500)])).toEqual([0]);
    expect(mapWorkers([timeline(100, 100, 800)], [thread(23, 0, 2000, 0.001)])).toEqual([0]); // an idle worker
    expect(mapWorkers([a], [])).toEqual([0]);
  });

  it('scores identical busy time and CPU as 1, disjoint as 0', () => {
    const tl = timeline(100, 500);
    expect(busyCpuSimilarity(tl, thread(1, 100, 500).t, thread(1, 100, 500).cpu).score).toBeCloseTo(1, 5);
    expect(busyCpuSimilarity(tl, thread(1, 600, 900).t, thread(1, 600, 900).cpu).score).toBe(0);
    // A series with gaps (NaN: not alive) and bad numbers is still read.
    const t = [0, 100, 200, NaN, 400, 300, 600];
    const cpu = [NaN, 1, NaN, 1, Infinity, -1, 1];
    expect(() => busyCpuSimilarity(tl, t, cpu)).not.toThrow();
  });
});

describe('readNodeProfiles on damaged and hostile folders', () => {
  const name = (pid: number, threadId = 0): string => `CPU.20250101.120000.${pid}.${threadId}.1.cpuprofile`;
  const profile = (over: Record<string, unknown> = {}): string =>
    JSON.stringify({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
        { id: 2, callFrame: { functionName: 'work', url: 'file:///app/a%20b.mjs', lineNumber: 4 }, children: [4], positionTicks: [{ line: 6, ticks: 1 }, { line: 7, ticks: 9 }] },
        { id: 3, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
        { id: 4, callFrame: { functionName: '', url: '/app/b.js', lineNumber: 0 } },
      ],
      startTime: 1_000_000,
      endTime: 1_050_000,
      samples: [2, 3, 4, 2],
      timeDeltas: [10_000, 10_000, 10_000, 10_000],
      ...over,
    });

  it('reads a small hand-made profile exactly', () => {
    const { s, summary } = read(folder({ [name(7)]: profile() }), 0n, { nodePids: [7] });
    expect(summary).toMatchObject({ files: 1, samples: 3, idle: 1 });
    expect(s.t).toEqual([1010, 1030, 1040]);
    expect(s.cpuMs).toEqual([10, 10, 10]);
    expect(s.stacks[s.stack[0]].map((f) => s.frames[f])).toEqual([{ name: 'work', file: '/app/a b.mjs', line: 7 }]);
    expect(s.stacks[s.stack[1]].map((f) => s.frames[f])).toEqual([
      { name: 'work', file: '/app/a b.mjs', line: 5 },
      { name: '(anonymous)', file: '/app/b.js', line: 1 },
    ]);
    expect(s.sources).toEqual([{ pid: 7, runtime: 'node', samples: 3 }]);
  });

  it('notes a process with no profile, a main thread with none, and one cut short', () => {
    const dir = folder({ [name(8, 1)]: profile(), [`${name(9)}.part`]: '{"nodes":[' });
    const { s } = read(dir, 0n, { nodePids: [7, 8, 9] });
    const note = (pid: number): string | undefined => s.sources.find((x) => x.pid === pid)?.note;
    expect(note(7)).toBe('pid 7 ended before Node could write its CPU profile (V8 writes it at a normal exit; the run was cancelled, timed out or the process was killed)');
    expect(note(8)).toMatch(/main thread ended before Node could write its CPU profile/);
    expect(note(9)).toMatch(/cut short/);
    expect(s.t.every((_, i) => s.pid[i] === 8 && s.tid[i] === 0 && s.threadName[i] === 'worker 1')).toBe(true);
  });

  it('never throws, and says what it left out', () => {
    const cyclic = profile({
      nodes: [
        { id: 1, callFrame: { functionName: 'a', url: '', lineNumber: 0 }, children: [2] },
        { id: 2, callFrame: { functionName: 'b', url: '', lineNumber: 0 }, children: [1] },
      ],
      samples: [1, 2],
      timeDeltas: [1, 1],
    });
    const deep = profile({
      nodes: Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, callFrame: { functionName: `f${i}`, url: 'x', lineNumber: i }, children: i < 4999 ? [i + 2] : [] })),
      samples: [5000, 5000],
      timeDeltas: [1, 1],
    });
    const weird = profile({
      nodes: [null, 3, { id: 'x' }, { id: 1, callFrame: 'no', children: 'no', positionTicks: [null, { line: 'x' }] }, { id: 1, callFrame: {} }, { id: 2, callFrame: { functionName: 5, url: {}, lineNumber: NaN }, children: [2, 99, 'q', 1] }],
      samples: [1, 2, 99, 'x', null, 1],
      timeDeltas: [1, -5, 1, 1, null, 1e300],
      corescope: { pid: 13, threadId: 0, tid: 'x', hrStartNs: ['abc', -1, 12] },
    });
    const dir = folder({
      [name(10)]: 'not json',
      [name(11)]: profile().slice(0, 100),
      [name(12)]: '[]',
      [name(13)]: weird,
      [name(14)]: cyclic,
      [name(15)]: deep,
      [name(16)]: JSON.stringify({ nodes: [], samples: [], timeDeltas: [], startTime: 0 }),
      [name(17)]: Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
      'CPU.not-ours.cpuprofile': profile(),
      'other.txt': 'x',
    });
    let out: ReturnType<typeof read> | undefined;
    expect(() => (out = read(dir, 123n, { nodePids: [10, 11, 12, 13, 14, 15, 16, 17], threadsOf: () => { throw new Error('no'); } }))).not.toThrow();
    const { s } = out!;
    const note = (pid: number): string => s.sources.find((x) => x.pid === pid)?.note ?? '';
    expect(note(10)).toMatch(/not valid JSON/);
    expect(note(11)).toMatch(/not valid JSON/);
    expect(note(12)).toMatch(/not a CPU profile/);
    expect(note(13)).toMatch(/samples named no node/);
    expect(note(16)).toMatch(/no nodes/);
    expect(note(17)).toMatch(/not valid JSON/);
    expect(s.sources.map((x) => x.pid).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    // The cycle and the deep chain end at the depth cap: bounded stacks.
    for (const st of s.stacks) expect(st.length).toBeLessThanOrEqual(512);
    expect(s.t.filter((_, i) => s.pid[i] === 15)).toHaveLength(2);
    expect(s.t.filter((_, i) => s.pid[i] === 14)).toHaveLength(2);
    for (const x of s.t) expect(Number.isFinite(x)).toBe(true);
    for (const x of s.cpuMs) expect(x).toBeGreaterThanOrEqual(0);
  });

  it('leaves out a file over the size limit and stops at the sample cap', () => {
    const dir = folder({ [name(20)]: profile(), [name(21)]: profile({ samples: [2, 2, 2, 2, 2, 2], timeDeltas: [1, 1, 1, 1, 1, 1], padding: 'x'.repeat(2000) }), [name(22)]: profile() });
    const { s } = read(dir, 0n, { nodePids: [20, 21, 22] }, { maxFileBytes: 1500, maxSamples: 4 });
    expect(s.sources.find((x) => x.pid === 21)?.note).toBe('the main thread\'s CPU profile is larger than the 1500 bytes a profile may be and was not read');
    expect(s.t).toHaveLength(4);
    expect(s.sources.find((x) => x.pid === 22)?.note).toMatch(/cap of 4 stack samples was reached/);
  });

  it('reads nothing from a folder that is not there', () => {
    const { s, summary } = read('/nonexistent/corescope', 0n, { nodePids: [] });
    expect(s.t).toEqual([]);
    expect(s.sources).toEqual([]);
    expect(summary.files).toBe(0);
  });
});
