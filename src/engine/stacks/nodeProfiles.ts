// The Node.js stack probe: V8's CPU profiler in every thread of every Node process of a run
// (main threads, worker_threads, child_process.fork and cluster children), one profile file per
// thread written at exit; and the reader that turns those files into stack samples.
//
// Why a preload and not `--cpu-prof` in NODE_OPTIONS: Node accepts `--cpu-prof`,
// `--cpu-prof-dir` and `--cpu-prof-interval` in NODE_OPTIONS only since nodejs/node#57018
// (2025; Node 24.21 takes them). Node 20.20 refuses them ("--cpu-prof is not allowed in
// NODE_OPTIONS") and exits with status 9 before running anything, and one such node anywhere in the tree (an npm
// script, a tool's own bundled node) would change the user's program. `--require` is accepted
// by every Node, so the probe is a small CommonJS preload (written into the probe's folder by
// nodeProbeOptions) that does what --cpu-prof does, through the inspector in each thread:
// Profiler.setSamplingInterval, Profiler.start, and at the thread's 'exit' Profiler.stop and a
// file named as --cpu-prof names it (CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile). The
// same preload runs in worker_threads (Node runs --require preloads in each worker) and in
// forked and clustered children (they inherit NODE_OPTIONS). It adds what --cpu-prof cannot
// know: the kernel's id of the thread (readlink /proc/thread-self, from that thread) and the
// process.hrtime reading at the profiler's start (a check of the clock, see below). The reader
// also reads profiles V8 wrote through --cpu-prof itself (no such record: the worker's thread is
// then found by correlation, see mapWorkers).
//
// Like --cpu-prof, a thread writes its profile when it exits normally (end of the event loop,
// process.exit(), an uncaught exception, a worker that returns or calls process.exit()), and a
// process killed by a signal (SIGTERM, SIGKILL: a cancelled or timed-out run) writes nothing:
// the reader notes each Node process that left no profile. Unlike --cpu-prof (which writes from
// C++ as the thread is torn down), a worker stopped by worker.terminate(), or still running when
// its process exits, leaves no profile: no 'exit' event and no more JavaScript in that thread.
// (Giving each Worker `--cpu-prof` in its execArgv would cover those on Node 20 too, measured,
// but means replacing worker_threads.Worker and shows the flags in the worker's
// process.execArgv: not done.)
//
// Clock: a profile's startTime and timeDeltas are µs of V8's base::TimeTicks, which on Linux is
// clock_gettime(CLOCK_MONOTONIC), the clock under process.hrtime (libuv's uv_hrtime). Measured
// on Node 20.20 and 24.21: V8's startTime is 30 to 70 µs after the preload's process.hrtime
// reading just before Profiler.start, in main threads and workers alike (the integration test
// checks it brackets). So sample times map to the run's t0 (an hrtime reading) with no
// calibration. Only when a profile's own hrtime record disagrees by more than
// CLOCK_MISMATCH_US (a different clock: never seen, but cheap to guard) is it shifted by the
// difference, which is then right to those tens of µs.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackSamplesBuilder } from '../../shared/stackSamples';
import { countText } from '../../shared/countText';

/** The preload's file name, in the probe's folder. */
export const NODE_PROBE_PRELOAD = 'corescope-node-probe.cjs';

/** Total samples the reader adds, over all profiles of a run. */
export const MAX_NODE_SAMPLES = 2_000_000;
/** A profile larger than this is not read (2,000,000 samples take ~30 MB). */
export const MAX_PROFILE_BYTES = 256 * 1024 * 1024;
/** Frames kept per stack, innermost first (V8 itself keeps at most 255 per sample). */
const MAX_DEPTH = 512;
/** A sample this long after the one before it is damage (V8 samples every few ms). */
const MAX_DELTA_US = 3600e6;
/** A profile's hrtime record this far from its V8 start means V8's clock is not hrtime's. */
const CLOCK_MISMATCH_US = 1_000_000;

/**
 * The interval V8 samples at for `rateHz` samples per second, in µs (V8's own default, 1000 µs,
 * for a rate that is not a positive number).
 */
export function nodeProbeIntervalUs(rateHz: number): number {
  if (!(rateHz > 0) || !Number.isFinite(rateHz)) return 1000;
  return Math.max(50, Math.round(1e6 / rateHz));
}

/** A value as NODE_OPTIONS reads it: double quotes, with `\` escaping `"` and `\` inside. */
export function quoteNodeOption(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The NODE_OPTIONS of a probed program: ours first (`--require` of the preload, written into
 * `dir` now), then the user's own `existing` options, unchanged, so theirs still apply (and a
 * single-valued option of theirs still wins). The preload writes its profiles into `dir`,
 * sampling every 1/rateHz s.
 */
export function nodeProbeOptions(dir: string, rateHz: number, existing: string | undefined): string {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const preload = join(abs, NODE_PROBE_PRELOAD);
  writeFileSync(preload, preloadSource(abs, nodeProbeIntervalUs(rateHz)));
  const ours = `--require ${quoteNodeOption(preload)}`;
  return existing && existing.trim() ? `${ours} ${existing}` : ours;
}

/**
 * The preload. Plain CommonJS for any Node from 12 on; it never throws into the program, never
 * writes to its output, keeps nothing alive (an inspector session holds no handle), and stays
 * out of a thread it was already loaded in.
 */
function preloadSource(dir: string, intervalUs: number): string {
  return `'use strict';
// CoreScope's Node.js stack probe, written for one run (see src/engine/stacks/nodeProfiles.ts):
// V8's CPU profiler in this thread, its profile written into the run's folder at exit.
(function () {
  var key = Symbol.for('corescope.nodeProbe');
  if (globalThis[key]) return;
  globalThis[key] = true;
  var dir = ${JSON.stringify(dir)};
  var interval = ${intervalUs};
  try {
    var fs = require('fs');
    var inspector = require('inspector');
    var threadId = require('worker_threads').threadId || 0;
    var tid = 0;
    try {
      var link = /(\\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
      if (link) tid = Number(link[1]);
    } catch (e) {}
    var session = new inspector.Session();
    session.connect();
    var started = false;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: interval });
    var hrBefore = process.hrtime.bigint();
    session.post('Profiler.start', function (err) { started = !err; });
    var hrAfter = process.hrtime.bigint();
    var d = new Date();
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    var name = 'CPU.' + d.getFullYear() + two(d.getMonth() + 1) + two(d.getDate()) + '.' +
      two(d.getHours()) + two(d.getMinutes()) + two(d.getSeconds()) + '.' + process.pid + '.' + threadId + '.001.cpuprofile';
    // Ours is one 'exit' listener more: a program adding the tenth of its own must still see no
    // MaxListenersExceededWarning on its stderr.
    var max = process.getMaxListeners();
    if (max > 0 && isFinite(max)) process.setMaxListeners(max + 1);
    process.on('exit', function () {
      if (!started) return;
      started = false;
      try {
        session.post('Profiler.stop', function (err, res) {
          if (err || !res || !res.profile) return;
          try {
            var p = res.profile;
            p.corescope = { v: 1, pid: process.pid, threadId: threadId, tid: tid, hrStartNs: [String(hrBefore), String(hrAfter)] };
            var file = dir + '/' + name;
            fs.writeFileSync(file + '.part', JSON.stringify(p));
            fs.renameSync(file + '.part', file);
          } catch (e) {}
        });
        session.disconnect();
      } catch (e) {}
    });
  } catch (e) {}
})();
`;
}

// ---- Reading ----

/** A thread of a process as the sampler measured it (see StackProbes.threadSeries). */
export interface NodeThreadSeries {
  tid: number;
  name: string;
  role: string;
  /** Share of a core in the sample interval ending at t[i] (NaN while not alive). */
  cpu?: number[];
  /** ms since the run's t0. */
  t?: number[];
}

export interface NodeProfilesContext {
  /** The run's Node processes: each should have left profiles. */
  nodePids: number[];
  threadsOf(pid: number): NodeThreadSeries[];
}

/** What the reader found, for the caller's logs and the tests (the samples went into the builder). */
export interface NodeProfilesSummary {
  files: number;
  samples: number;
  /** Samples of a thread waiting ('(idle)': its event loop asleep), not added. */
  idle: number;
  /** Worker profiles whose thread was found by correlating CPU (no tid recorded), and how many matched. */
  correlated: { workers: number; matched: number };
}

export interface NodeProfilesLimits {
  maxSamples?: number;
  maxFileBytes?: number;
}

/** Threads a worker_thread's profile may belong to (Node 20 names none, so roles are guesses). */
const WORKER_CANDIDATE_ROLES = new Set(['worker-thread', 'libuv-pool', 'v8-helper']);
/** Below this similarity, or this much shared CPU, a worker's profile is not given a thread. */
const MIN_MATCH_SCORE = 0.3;
const MIN_MATCH_SHARED_MS = 5;

const FILE_NAME = /^CPU\.\d{8}\.\d{6}\.(\d+)\.(\d+)\.(\d+)\.cpuprofile$/;
const PART_NAME = /^CPU\.\d{8}\.\d{6}\.(\d+)\.(\d+)\.(\d+)\.cpuprofile\.part$/;

interface ProfileFile {
  name: string;
  pid: number;
  threadId: number;
}

interface ProfileNode {
  name: string;
  file: string;
  /** 1-based; 0 unknown. */
  line: number;
  /** The hottest positionTicks line (1-based), 0 when none. */
  hotLine: number;
  parent: number;
}

interface ReadProfile {
  file: ProfileFile;
  nodes: Map<number, ProfileNode>;
  /** Node id per sample, and the sample's time in µs of V8's clock (not yet shifted to t0). */
  sampleNode: number[];
  sampleUs: number[];
  /** µs since the previous sample (the first: since the profile's start). */
  deltaUs: number[];
  startUs: number;
  /** The kernel's thread id the preload recorded; 0 when not known. */
  tid: number;
  /** µs to add to V8's times to be on hrtime's clock (0: the same clock). */
  shiftUs: number;
}

interface ProcessReading {
  pid: number;
  samples: number;
  notes: string[];
  profiles: ReadProfile[];
  hasMain: boolean;
  partial: number;
}

/**
 * Reads every profile in `dir` into `into`: one sample per profile sample that was not idle, at
 * ms since `t0Ns` (process.hrtime.bigint() at the run's start), on the thread that ran it, and
 * one source per process (with a note when a process left no profile or a bad one). Never throws
 * for what is in the folder.
 */
export function readNodeProfiles(dir: string, t0Ns: bigint, into: StackSamplesBuilder, ctx: NodeProfilesContext, limits: NodeProfilesLimits = {}): NodeProfilesSummary {
  const maxSamples = limits.maxSamples ?? MAX_NODE_SAMPLES;
  const maxBytes = limits.maxFileBytes ?? MAX_PROFILE_BYTES;
  const summary: NodeProfilesSummary = { files: 0, samples: 0, idle: 0, correlated: { workers: 0, matched: 0 } };
  const byPid = new Map<number, ProcessReading>();
  const reading = (pid: number): ProcessReading => {
    let r = byPid.get(pid);
    if (!r) byPid.set(pid, (r = { pid, samples: 0, notes: [], profiles: [], hasMain: false, partial: 0 }));
    return r;
  };

  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // No folder: no profiles (each Node process then gets its note below).
  }
  const files: ProfileFile[] = [];
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (m) {
      files.push({ name, pid: Number(m[1]), threadId: Number(m[2]) });
      continue;
    }
    const part = PART_NAME.exec(name);
    if (part) reading(Number(part[1])).partial++;
  }
  files.sort((a, b) => a.pid - b.pid || a.threadId - b.threadId || (a.name < b.name ? -1 : 1));

  const t0Us = Number(t0Ns / 1000n);
  const t0FracUs = Number(t0Ns % 1000n) / 1000;
  const toMs = (us: number): number => (us - t0Us - t0FracUs) / 1000;
  const capNote = `the cap of ${countText(maxSamples)} stack samples was reached: later samples were left out`;

  // One process at a time (its threads' profiles read, matched to threads, added, let go).
  for (let from = 0; from < files.length; ) {
    let to = from;
    while (to < files.length && files[to].pid === files[from].pid) to++;
    const r = reading(files[from].pid);
    for (const f of files.slice(from, to)) {
      if (f.threadId === 0) r.hasMain = true;
      summary.files++;
      if (into.count >= maxSamples) {
        r.notes.push(capNote);
        continue;
      }
      const p = readProfile(join(dir, f.name), f, maxBytes, r.notes);
      if (p) r.profiles.push(p);
    }
    from = to;
    const tids = threadsOfProfiles(r, ctx, toMs, summary);
    for (let k = 0; k < r.profiles.length; k++) {
      const p = r.profiles[k];
      const threadName = p.file.threadId === 0 ? 'main' : `worker ${p.file.threadId}`;
      const stacks = new StackCache(p, into);
      for (let i = 0; i < p.sampleNode.length; i++) {
        const node = p.nodes.get(p.sampleNode[i]);
        if (!node) continue;
        if (node.name === '(idle)') {
          summary.idle++;
          continue;
        }
        if (into.count >= maxSamples) {
          r.notes.push(capNote);
          break;
        }
        into.addInterned(toMs(p.sampleUs[i] + p.shiftUs), r.pid, tids[k], stacks.of(p.sampleNode[i]), Math.max(0, p.deltaUs[i]) / 1000, 'thread', threadName);
        r.samples++;
        summary.samples++;
      }
    }
    r.profiles = [];
  }
  for (const r of byPid.values()) {
    if (r.partial) r.notes.push(`${r.partial === 1 ? 'a profile was' : `${r.partial} profiles were`} cut short while being written (the process was killed as it exited)`);
    else if (!r.hasMain) r.notes.push(`pid ${r.pid}'s main thread ended before Node could write its CPU profile (its worker threads' profiles were read)`);
  }

  for (const pid of new Set(ctx.nodePids)) {
    if (!byPid.has(pid)) reading(pid).notes.push(`pid ${pid} ended before Node could write its CPU profile (V8 writes it at a normal exit; the run was cancelled, timed out or the process was killed)`);
  }
  for (const r of [...byPid.values()].sort((a, b) => a.pid - b.pid)) {
    const notes = [...new Set(r.notes)];
    into.source({ pid: r.pid, runtime: 'node', samples: r.samples, ...(notes.length ? { note: notes.join('; ') } : {}) });
  }
  return summary;
}

/** Reads and checks one profile; null (and a note) when it cannot be used. */
function readProfile(path: string, file: ProfileFile, maxBytes: number, notes: string[]): ReadProfile | null {
  const what = file.threadId === 0 ? 'the main thread\'s CPU profile' : `worker ${file.threadId}'s CPU profile`;
  let text: string;
  try {
    const read = readCapped(path, maxBytes);
    if (read === null) {
      notes.push(`${what} is larger than the ${bytesText(maxBytes)} a profile may be and was not read`);
      return null;
    }
    text = read;
  } catch (err) {
    notes.push(`${what} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    notes.push(`${what} is not valid JSON (truncated or damaged) and was left out`);
    return null;
  }
  const p = parseProfile(json, file);
  if (typeof p === 'string') notes.push(`${what} was left out: ${p}`);
  else if (p.dropped) notes.push(`${what}: ${p.dropped} samples named no node of the profile and were left out`);
  return typeof p === 'string' ? null : p.profile;
}

const bytesText = (n: number): string => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${n} bytes`);

/** The file's text, or null when it is larger than maxBytes. */
function readCapped(path: string, maxBytes: number): string | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return null;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n <= 0) break;
      got += n;
    }
    return buf.toString('utf8', 0, got);
  } finally {
    closeSync(fd);
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Checks the profile's shape (V8's Profiler.Profile); a string saying what is wrong when unusable. */
function parseProfile(json: unknown, file: ProfileFile): { profile: ReadProfile; dropped: number } | string {
  if (!isObject(json)) return 'not a CPU profile';
  const { nodes: rawNodes, samples, timeDeltas, startTime } = json;
  if (!Array.isArray(rawNodes) || !Array.isArray(samples) || !Array.isArray(timeDeltas) || !finite(startTime)) return 'not a CPU profile (no nodes, samples, timeDeltas or startTime)';
  const nodes = new Map<number, ProfileNode>();
  const children = new Map<number, unknown[]>();
  for (const raw of rawNodes) {
    if (!isObject(raw) || !finite(raw.id) || nodes.has(raw.id)) continue;
    const cf = isObject(raw.callFrame) ? raw.callFrame : {};
    const fn = typeof cf.functionName === 'string' ? cf.functionName : '';
    const url = typeof cf.url === 'string' ? cf.url : '';
    const line0 = finite(cf.lineNumber) && cf.lineNumber >= 0 ? Math.floor(cf.lineNumber) + 1 : 0;
    nodes.set(raw.id, { name: fn || '(anonymous)', file: fileOfUrl(url), line: line0, hotLine: hottestLine(raw.positionTicks), parent: finite(raw.parent) ? raw.parent : -1 });
    if (Array.isArray(raw.children)) children.set(raw.id, raw.children);
  }
  if (!nodes.size) return 'it has no nodes';
  // V8 gives children; a parent link is taken from the first node that lists a node as a child.
  const claimed = new Set<number>();
  for (const [id, kids] of children) {
    for (const c of kids) {
      if (!finite(c) || c === id || claimed.has(c)) continue;
      const child = nodes.get(c);
      if (!child) continue;
      child.parent = id;
      claimed.add(c);
    }
  }
  const n = Math.min(samples.length, timeDeltas.length);
  const sampleNode: number[] = [];
  const sampleUs: number[] = [];
  const deltaUs: number[] = [];
  let at = startTime;
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    const d = timeDeltas[i];
    const id = samples[i];
    if (!finite(d) || Math.abs(d) > MAX_DELTA_US) {
      dropped++;
      continue;
    }
    // V8 now and then records a sample a little out of order (a negative delta): its time is
    // kept as V8 gives it (the builder sorts), its interval counted as none.
    at += d;
    if (!finite(id) || !nodes.has(id)) {
      dropped++;
      continue;
    }
    sampleNode.push(id);
    sampleUs.push(at);
    deltaUs.push(d);
  }
  let tid = 0;
  let shiftUs = 0;
  const meta = json.corescope;
  if (isObject(meta) && meta.pid === file.pid && meta.threadId === file.threadId) {
    if (finite(meta.tid) && meta.tid > 0 && Number.isInteger(meta.tid)) tid = meta.tid;
    const hr = Array.isArray(meta.hrStartNs) ? meta.hrStartNs : [];
    const hrUs = hr.map(nsStringToUs).filter((x): x is number => x !== null);
    if (hrUs.length) {
      // The preload read hrtime just before Profiler.start (and after it: the start takes 10 to
      // 50 ms, logging the code already compiled); V8 takes its startTime first thing in the start,
      // 30 to 70 µs after that first reading on Node 20 and 24.
      if (Math.abs(hrUs[0] - startTime) > CLOCK_MISMATCH_US) shiftUs = hrUs[0] - startTime;
    }
  }
  if (file.threadId === 0) tid = file.pid;
  return { profile: { file, nodes, sampleNode, sampleUs, deltaUs, startUs: startTime, tid, shiftUs }, dropped };
}

function nsStringToUs(x: unknown): number | null {
  if (typeof x !== 'string' || !/^\d{1,25}$/.test(x)) return null;
  const ns = BigInt(x);
  return Number(ns / 1000n) + Number(ns % 1000n) / 1000;
}

/** The line (1-based) with the most ticks in a node's positionTicks; 0 when it has none. */
function hottestLine(ticks: unknown): number {
  if (!Array.isArray(ticks)) return 0;
  let best = 0;
  let most = 0;
  for (const t of ticks) {
    if (!isObject(t) || !finite(t.line) || !finite(t.ticks) || t.line < 1) continue;
    if (t.ticks > most) {
      most = t.ticks;
      best = Math.floor(t.line);
    }
  }
  return best;
}

function fileOfUrl(url: string): string {
  if (!url.startsWith('file://')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url.slice('file://'.length);
  }
}

/** Each sampled node's stack of interned frames, computed once per node. */
class StackCache {
  private readonly cache = new Map<number, number[]>();
  private readonly outer = new Map<number, number>();

  constructor(
    private readonly p: ReadProfile,
    private readonly into: StackSamplesBuilder,
  ) {}

  of(id: number): number[] {
    let s = this.cache.get(id);
    if (s) return s;
    const nodes = this.p.nodes;
    const leaf = nodes.get(id)!;
    // Innermost first while walking up; V8's own '(root)' is no frame. The depth cap also ends a
    // walk round a cycle of parent links in a damaged file.
    const ids = [this.into.frameId({ name: leaf.name, file: leaf.file, line: leaf.hotLine || leaf.line })];
    for (let nid = leaf.parent, cur = nodes.get(nid); cur && ids.length < MAX_DEPTH; nid = cur.parent, cur = nodes.get(nid)) {
      if (cur.name === '(root)' && !nodes.has(cur.parent)) break;
      let f = this.outer.get(nid);
      if (f === undefined) this.outer.set(nid, (f = this.into.frameId({ name: cur.name, file: cur.file, line: cur.line })));
      ids.push(f);
    }
    if (leaf.name === '(root)' && !nodes.has(leaf.parent)) ids.length = 0;
    s = ids.reverse();
    this.cache.set(id, s);
    return s;
  }
}

// ---- Which thread a worker's profile is of ----

/** The kernel tid of each of a process's profiles (0 when not known). */
function threadsOfProfiles(r: ProcessReading, ctx: NodeProfilesContext, toMs: (us: number) => number, summary: NodeProfilesSummary): number[] {
  const tids = r.profiles.map((p) => p.tid);
  const unknown = r.profiles.map((p, k) => (p.tid ? -1 : k)).filter((k) => k >= 0);
  if (!unknown.length) return tids;
  let threads: NodeThreadSeries[] = [];
  try {
    threads = ctx.threadsOf(r.pid) ?? [];
  } catch {
    threads = [];
  }
  const used = new Set(tids.filter((t) => t > 0));
  const candidates = threads.filter((th) => th.tid !== r.pid && !used.has(th.tid) && WORKER_CANDIDATE_ROLES.has(th.role) && Array.isArray(th.cpu) && Array.isArray(th.t));
  const timelines = unknown.map((k) => busyTimeline(r.profiles[k], toMs));
  const match = mapWorkers(timelines, candidates.map((c) => ({ tid: c.tid, t: c.t!, cpu: c.cpu! })));
  summary.correlated.workers += unknown.length;
  unknown.forEach((k, j) => {
    tids[k] = match[j];
    if (match[j]) summary.correlated.matched++;
  });
  return tids;
}

/**
 * A profile's busy timeline on the run's clock: sample i covers (end[i-1], end[i]] (the first
 * from the profile's start), busy unless V8 saw the thread idle. Ends are made non-decreasing.
 */
export interface BusyTimeline {
  startMs: number;
  endMs: number[];
  busy: boolean[];
}

function busyTimeline(p: ReadProfile, toMs: (us: number) => number): BusyTimeline {
  const endMs: number[] = [];
  const busy: boolean[] = [];
  let last = toMs(p.startUs + p.shiftUs);
  const startMs = last;
  for (let i = 0; i < p.sampleNode.length; i++) {
    last = Math.max(last, toMs(p.sampleUs[i] + p.shiftUs));
    endMs.push(last);
    busy.push(p.nodes.get(p.sampleNode[i])?.name !== '(idle)');
  }
  return { startMs, endMs, busy };
}

/** Busy ms of a timeline up to each of the sorted times `at` (one sweep). */
function busyUpTo(tl: BusyTimeline, at: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let cum = 0;
  let segStart = tl.startMs;
  for (const x of at) {
    while (i < tl.endMs.length && tl.endMs[i] <= x) {
      if (tl.busy[i]) cum += tl.endMs[i] - segStart;
      segStart = tl.endMs[i];
      i++;
    }
    const partial = i < tl.endMs.length && tl.busy[i] && x > segStart ? x - segStart : 0;
    out.push(cum + partial);
  }
  return out;
}

/**
 * How alike a profile's busy time and a thread's measured CPU are, 0..1: over the thread's sample
 * intervals, Σ min(busy, cpu) / Σ max(busy, cpu) (the weighted Jaccard or Ruzicka similarity),
 * the profile's busy time outside the thread's series counting as unmatched. Chosen over a
 * correlation coefficient because a worker busy from start to end is a constant series (no
 * variance to correlate), and because it weighs lifetime too: a thread busy before or after the
 * profile's span (another worker, or a pool thread) loses by what it ran then.
 */
export function busyCpuSimilarity(tl: BusyTimeline, t: number[], cpu: number[]): { score: number; sharedMs: number } {
  const n = Math.min(t.length, cpu.length);
  const total = tl.endMs.length ? busyUpTo(tl, [tl.endMs[tl.endMs.length - 1]])[0] : 0;
  const edges: number[] = [];
  const keep: number[] = [];
  for (let k = 1; k < n; k++) {
    const a = t[k - 1];
    const b = t[k];
    if (!(b > a) || !Number.isFinite(a) || !Number.isFinite(b) || (edges.length && a < edges[edges.length - 1])) continue;
    keep.push(k);
    edges.push(a, b);
  }
  const cum = busyUpTo(tl, edges);
  let inter = 0;
  let union = 0;
  let covered = 0;
  keep.forEach((k, j) => {
    const len = t[k] - t[k - 1];
    const c = cpu[k];
    const cpuMs = Number.isFinite(c) ? Math.min(1, Math.max(0, c)) * len : 0;
    const busyMs = Math.max(0, cum[2 * j + 1] - cum[2 * j]);
    covered += busyMs;
    inter += Math.min(busyMs, cpuMs);
    union += Math.max(busyMs, cpuMs);
  });
  union += Math.max(0, total - covered);
  return { score: union > 0 ? inter / union : 0, sharedMs: inter };
}

/**
 * Which thread each worker profile is of, by its busy timeline against each candidate thread's
 * measured CPU: a worker's profile carries Node's threadId, not the kernel's tid, and Node 20
 * names none of its threads, so what ties a profile to a thread is when it ran. Greedy: the most
 * alike (profile, thread) pair first, each thread used once; 0 for a profile with no pair at
 * least MIN_MATCH_SCORE alike and MIN_MATCH_SHARED_MS of CPU in common (a worker that hardly
 * ran, or whose thread the sampler never saw).
 */
export function mapWorkers(timelines: BusyTimeline[], candidates: { tid: number; t: number[]; cpu: number[] }[]): number[] {
  const pairs: { w: number; c: number; score: number }[] = [];
  timelines.forEach((tl, w) => {
    candidates.forEach((cand, c) => {
      const { score, sharedMs } = busyCpuSimilarity(tl, cand.t, cand.cpu);
      if (score >= MIN_MATCH_SCORE && sharedMs >= MIN_MATCH_SHARED_MS) pairs.push({ w, c, score });
    });
  });
  pairs.sort((a, b) => b.score - a.score || a.w - b.w || a.c - b.c);
  const out = timelines.map(() => 0);
  const takenW = new Set<number>();
  const takenC = new Set<number>();
  for (const p of pairs) {
    if (takenW.has(p.w) || takenC.has(p.c)) continue;
    takenW.add(p.w);
    takenC.add(p.c);
    out[p.w] = candidates[p.c].tid;
  }
  return out;
}
