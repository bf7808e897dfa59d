// A run as a Chrome trace-event file (the JSON Object Format that Perfetto UI and
// chrome://tracing open). Times are microseconds since the run started.
// - a "CPU cores" process with one counter track per core (user / system / iowait, %)
// - per workload process: a "workload cores" counter, a loop-lag counter when reported
// - per thread: named by thread_name metadata, with complete ("X") slices for each stretch it
//   was running, named by the core it ran on, and a CPU % counter per thread
// - the workload's task spans as "B"/"E" slices on "tasks" lanes of the process that reported
//   them, as few lanes as keep them from overlapping (slices on one track must nest); the
//   reporting thread is named in each slice's args
// - the run's phases (start-up, serial, parallel, waiting…) as complete slices on a "Phases"
//   track of their own: phases are contiguous and never overlap, so they nest trivially
// - which code (issue #15), when the run took stack samples:
//   - each thread's samples as a flame chart on a "code" track of its own, right below the
//     thread's lane (same process; thread_sort_index keeps the pair together): one complete
//     slice per frame, merged while the same frame (function, file and line) stays at the same
//     depth in consecutive samples, each sample lasting until that thread's next one — or one
//     sampling interval, for the last sample and across a gap (MAX_GAP_INTERVALS, MIN_GAP_MS).
//     A frame never ends and begins again at one instant on a track (see stackEvents).
//     Not on the thread's own track: its running slices start and end with the sampler's ticks,
//     the stack slices with the probe's, and slices on one track that overlap without nesting
//     are dropped by the viewers (the same reason task spans have lanes of their own).
//   - suspended asyncio tasks' stacks (task = 1) are left out: several tasks wait at once with
//     nothing in the samples telling one task from another, so their stacks cannot be laid out
//     as nesting slices on any track; what they waited at is in the findings.
//   - the findings (attribution.ts) as complete slices on "which code" lanes of the Phases
//     process, with their text: a blocked loop's stretch [t − lag, t] does not follow phase
//     boundaries, so they cannot nest inside the phase slices; each phase slice carries its own
//     `code` line in its args.
//   At most MAX_STACK_SLICES stack slices: past that the flame charts stop, at one instant for
//   every thread, and otherData.stacks says where.
import type { Finding, RunRecord, WorkloadEvent } from '../../shared/types';
import { frameText, type StackSamples } from '../../shared/stackSamples';

export interface TraceEvent {
  name: string;
  ph: 'B' | 'E' | 'X' | 'C' | 'M' | 'i';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

/** Synthetic process for the machine's cores (a pid no Linux process has: above pid_max). */
export const CORES_PID = 2 ** 22 + 1;
/** Synthetic process for the run's phases, next to the cores'. */
export const PHASES_PID = CORES_PID + 1;
/** Synthetic tids for task lanes, above any real tid. */
const LANE_TID_BASE = 2 ** 22 + 16;
/** Synthetic tids for stack ("code") tracks, above the task lanes'. */
const STACK_TID_BASE = 2 ** 23;
/** A thread counts as running in a sample when it used at least this share of a core. */
const RUNNING = 0.02;
/**
 * At most this many stack slices per file (~110 bytes each in JSON: ~27 MB). Merging keeps a
 * thread in one function to a few slices, so this is minutes of deep, ever-changing stacks at
 * 100 Hz; a run with more is cut at one instant for all threads (otherData.stacks says when).
 */
export const MAX_STACK_SLICES = 250_000;
/**
 * A thread's sample lasts until its next one unless that is further than this many sampling
 * intervals away, and more than MIN_GAP_MS (an in-process Python sampler waits for the GIL like
 * any thread: under contention its samples of a thread come tens of ms apart, not 10).
 */
const MAX_GAP_INTERVALS = 10;
const MIN_GAP_MS = 250;

const us = (ms: number): number => Math.round(ms * 1000);
const pct = (x: number): number => Math.round(x * 1000) / 10;

interface Span {
  task: string;
  pid: number;
  tid: number;
  from: number;
  to: number;
  unfinished: boolean;
}

function taskSpans(events: WorkloadEvent[], endMs: number, rootPid: number): Span[] {
  const open = new Map<string, { task: string; pid: number; tid: number; from: number }>();
  const spans: Span[] = [];
  for (const e of events) {
    if (e.kind !== 'task-start' && e.kind !== 'task-end') continue;
    const pid = e.pid ?? rootPid;
    const key = `${pid}:${e.task}`;
    if (e.kind === 'task-start') open.set(key, { task: e.task, pid, tid: e.tid ?? pid, from: e.t });
    else {
      const s = open.get(key);
      if (!s) continue;
      open.delete(key);
      spans.push({ ...s, to: Math.max(s.from + 0.001, e.t), unfinished: false });
    }
  }
  for (const s of open.values()) spans.push({ ...s, to: Math.max(s.from + 0.001, endMs), unfinished: true });
  return spans.sort((a, b) => a.from - b.from || a.to - b.to);
}

export function runToTrace(record: RunRecord, meta: { corescopeVersion?: string; /** Tests: a smaller cap than MAX_STACK_SLICES. */ maxStackSlices?: number } = {}): TraceFile {
  const { samples: s, result: r } = record;
  const ev: TraceEvent[] = [];
  const endMs = Math.max(r.wallMs, s.t.length ? s.t[s.t.length - 1] : 0);
  const rootPid = s.processes[0]?.pid ?? s.threads[0]?.pid ?? 1;

  // The cores.
  ev.push({ name: 'process_name', ph: 'M', ts: 0, pid: CORES_PID, tid: 0, args: { name: 'CPU cores (whole machine)' } });
  ev.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid: CORES_PID, tid: 0, args: { sort_index: -1 } });
  for (let i = 0; i < s.t.length; i++) {
    const ts = us(s.t[i]);
    for (let c = 0; c < s.coreCount; c++) {
      ev.push({ name: `cpu${c} busy %`, ph: 'C', ts, pid: CORES_PID, tid: 0, args: { user: pct(s.coreUser[c][i]), system: pct(s.coreSystem[c][i]), iowait: pct(s.coreIowait[c][i]) } });
    }
  }

  // The phases, on their own track (absent from runs recorded before phases existed).
  const phases = r.phases ?? [];
  const findings = r.findings ?? [];
  if (phases.length || findings.length) {
    ev.push({ name: 'process_name', ph: 'M', ts: 0, pid: PHASES_PID, tid: 0, args: { name: 'Phases (what the run did, in order)' } });
    ev.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid: PHASES_PID, tid: 0, args: { sort_index: -2 } });
  }
  if (phases.length) {
    ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PHASES_PID, tid: 1, args: { name: 'phases' } });
    for (const p of phases) {
      const ts = us(p.fromMs);
      const args = { text: p.text, ...(p.code ? { code: p.code } : {}), cores: p.cores, demand: p.demand, otherCores: p.otherCores, threads: p.threads, tasks: p.tasks };
      ev.push({ name: `phase: ${p.kind}`, cat: 'phase', ph: 'X', ts, dur: Math.max(1, us(p.toMs) - ts), pid: PHASES_PID, tid: 1, args });
    }
  }
  findingEvents(findings, ev);

  // Processes and threads.
  const pids = new Set<number>();
  for (const p of s.processes) {
    pids.add(p.pid);
    ev.push({ name: 'process_name', ph: 'M', ts: 0, pid: p.pid, tid: 0, args: { name: `${p.name} (pid ${p.pid})` } });
    ev.push({ name: 'process_labels', ph: 'M', ts: 0, pid: p.pid, tid: 0, args: { labels: p.cmdline.slice(0, 200) } });
  }
  for (let i = 0; i < s.t.length; i++) {
    ev.push({ name: 'workload cores', ph: 'C', ts: us(s.t[i]), pid: rootPid, tid: 0, args: { cores: Math.round(s.workloadCores[i] * 1000) / 1000 } });
  }
  // With stack tracks, each thread's lane is given a sort index and its code track the next one.
  const withStacks = !!record.stacks && record.stacks.t.length > 0;
  s.threads.forEach((th, k) => {
    if (!pids.has(th.pid)) {
      pids.add(th.pid);
      ev.push({ name: 'process_name', ph: 'M', ts: 0, pid: th.pid, tid: 0, args: { name: `pid ${th.pid}` } });
    }
    ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid: th.pid, tid: th.tid, args: { name: `${th.name} [${th.role}]` } });
    if (withStacks) ev.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: th.pid, tid: th.tid, args: { sort_index: 2 * k } });
    const cpu = s.threadCpu[k] ?? [];
    const core = s.threadCore[k] ?? [];
    // Running stretches on one core become one complete slice each.
    let from = -1;
    let onCore = -1;
    let sum = 0;
    let n = 0;
    const close = (i: number): void => {
      if (from < 0) return;
      const start = i > 0 && from > 0 ? s.t[from - 1] : s.t[from];
      const end = s.t[Math.min(i, s.t.length) - 1];
      ev.push({ name: `running on cpu${onCore}`, cat: 'cpu', ph: 'X', ts: us(start), dur: Math.max(1, us(end) - us(start)), pid: th.pid, tid: th.tid, args: { core: onCore, avgCpuPct: pct(sum / n) } });
      from = -1;
    };
    for (let i = 0; i < s.t.length; i++) {
      const x = cpu[i];
      const running = Number.isFinite(x) && x >= RUNNING;
      if (running && from >= 0 && core[i] === onCore) {
        sum += x;
        n++;
        continue;
      }
      close(i);
      if (running) {
        from = i;
        onCore = core[i];
        sum = x;
        n = 1;
      }
    }
    close(s.t.length);
    // And the thread's CPU as a counter (counters are per process, so the name carries the tid).
    for (let i = 0; i < s.t.length; i++) {
      const x = cpu[i];
      if (Number.isFinite(x)) ev.push({ name: `cpu % tid ${th.tid} ${th.name}`, ph: 'C', ts: us(s.t[i]), pid: th.pid, tid: th.tid, args: { cpu: pct(x) } });
    }
  });

  // Event-loop lag.
  for (const e of record.events) {
    if (e.kind === 'lag') ev.push({ name: 'loop lag ms', ph: 'C', ts: us(e.t), pid: e.pid ?? rootPid, tid: e.tid ?? e.pid ?? rootPid, args: { lag: Math.round(e.lagMs * 100) / 100 } });
  }

  // Task spans on "tasks" lanes of their process, never on a thread's own track: that track holds
  // the thread's running slices, and a task that starts inside one and outlives it would not nest.
  const laneEnds = new Map<number, number[]>();
  const laneTids = new Map<string, number>();
  for (const sp of taskSpans(record.events, endMs, rootPid)) {
    const ends = laneEnds.get(sp.pid) ?? [];
    let lane = ends.findIndex((end) => end <= sp.from);
    if (lane < 0) {
      lane = ends.length;
      ends.push(0);
    }
    ends[lane] = sp.to;
    laneEnds.set(sp.pid, ends);
    const key = `${sp.pid}:${lane}`;
    let tid = laneTids.get(key);
    if (tid === undefined) {
      tid = LANE_TID_BASE + laneTids.size;
      laneTids.set(key, tid);
      ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid: sp.pid, tid, args: { name: `tasks lane ${lane + 1}` } });
      if (withStacks) ev.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: sp.pid, tid, args: { sort_index: 2 * s.threads.length + lane } });
    }
    const args = { task: sp.task, reportedBy: `pid ${sp.pid} tid ${sp.tid}`, ...(sp.unfinished ? { unfinished: true } : {}) };
    ev.push({ name: `task ${sp.task}`, cat: 'task', ph: 'B', ts: us(sp.from), pid: sp.pid, tid, args });
    // The same args on the end: viewers that match an end to its begin by name and args (speedscope) pair them exactly.
    ev.push({ name: `task ${sp.task}`, cat: 'task', ph: 'E', ts: us(sp.to), pid: sp.pid, tid, args });
  }

  const stackNote = record.stacks ? stackEvents(record, ev, pids, meta.maxStackSlices ?? MAX_STACK_SLICES) : '';

  // Viewers sort anyway; a stable order with E before B at equal times keeps B/E nesting plain.
  const rank = (e: TraceEvent): number => (e.ph === 'M' ? 0 : e.ph === 'E' ? 1 : 2);
  ev.sort((a, b) => a.ts - b.ts || rank(a) - rank(b));
  return {
    traceEvents: ev,
    displayTimeUnit: 'ms',
    otherData: {
      producer: `CoreScope ${meta.corescopeVersion ?? ''}`.trim(),
      runId: r.runId,
      what: r.scenario ?? r.params.cmd ?? r.params.argv?.join(' ') ?? 'run',
      verdict: r.verdict.text,
      ...(stackNote ? { stacks: stackNote } : {}),
      ...(r.serialFraction ? { serialFraction: String(r.serialFraction.fraction), amdahlCeiling: r.serialFraction.ceiling === null ? 'none' : String(r.serialFraction.ceiling) } : {}),
    },
  };
}

/** The findings as complete slices on "which code" lanes of the Phases process, as few lanes as keep them apart. */
function findingEvents(findings: readonly Finding[], ev: TraceEvent[]): void {
  const laneEnds: number[] = [];
  const sorted = findings.slice().sort((a, b) => a.fromMs - b.fromMs || a.toMs - b.toMs);
  for (const f of sorted) {
    const ts = us(f.fromMs);
    const dur = Math.max(1, us(f.toMs) - ts);
    let lane = laneEnds.findIndex((end) => end <= ts);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(0);
      ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PHASES_PID, tid: 2 + lane, args: { name: lane === 0 ? 'which code (findings)' : `which code, lane ${lane + 1}` } });
    }
    laneEnds[lane] = ts + dur;
    const args = {
      text: f.text,
      thread: `${f.thread} (pid ${f.pid}, tid ${f.tid})`,
      at: frameText(f.frame),
      ...(f.callers.length ? { calledFrom: f.callers.map(frameText).join(' ← ') } : {}),
      share: Math.round(f.share * 1000) / 1000,
      ...(f.waiting ? { waiting: f.waiting } : {}),
    };
    ev.push({ name: `${f.kind}: ${f.frame.name}`, cat: 'finding', ph: 'X', ts, dur, pid: PHASES_PID, tid: 2 + lane, args });
  }
}

interface OpenFrame {
  frame: number;
  ev: TraceEvent;
}

interface StackTrack {
  tid: number;
  /** Its last sample's time; `open`: the frames open since then, outermost first. */
  lastT: number;
  open: OpenFrame[];
}

/**
 * Each thread's stack samples as nested complete slices on a code track of its own (see the
 * header). Returns the line for otherData.stacks.
 */
function stackEvents(record: RunRecord, ev: TraceEvent[], pids: Set<number>, maxSlices: number): string {
  const st = record.stacks as StackSamples;
  const s = record.samples;
  const intervalMs = 1000 / Math.max(1, st.rateHz);
  const maxGap = Math.max(MAX_GAP_INTERVALS * intervalMs, MIN_GAP_MS);
  const names = frameNames(st);
  const threadIndex = new Map<string, number>();
  s.threads.forEach((th, k) => threadIndex.set(`${th.pid}:${th.tid}`, k));
  const tracks = new Map<string, StackTrack>();
  const out: TraceEvent[] = [];
  let taskSamples = 0;
  for (const x of st.task) taskSamples += x;
  let threadSamples = 0;
  let cutAt: number | null = null;

  const close = (tr: StackTrack, depth: number, at: number): void => {
    while (tr.open.length > depth) {
      const o = tr.open.pop()!;
      o.ev.dur = us(at) - o.ev.ts;
    }
  };

  const trackOf = (i: number): StackTrack => {
    const pid = st.pid[i];
    const tid = st.tid[i];
    // A thread the probe could not name by tid is told apart by its own name, if any.
    const key = tid ? `${pid}:${tid}` : `${pid}:0:${st.threadName[i]}`;
    let tr = tracks.get(key);
    if (tr) return tr;
    tr = { tid: STACK_TID_BASE + tracks.size, lastT: -Infinity, open: [] };
    tracks.set(key, tr);
    if (!pids.has(pid)) {
      pids.add(pid);
      ev.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: `pid ${pid}` } });
    }
    const k = threadIndex.get(`${pid}:${tid}`);
    const who = st.threadName[i] || (k !== undefined ? s.threads[k].name : '') || 'thread';
    ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: tr.tid, args: { name: `${who} — code${tid ? ` (tid ${tid})` : ''}` } });
    // Right below the thread's own lane; after every thread when the sampler never saw it.
    const sortIndex = k !== undefined ? 2 * k + 1 : 2 * s.threads.length + 10_000 + tracks.size;
    ev.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid: tr.tid, args: { sort_index: sortIndex } });
    return tr;
  };

  for (let i = 0; i < st.t.length; i++) {
    if (st.task[i]) continue;
    const t = st.t[i];
    const tr = trackOf(i);
    const stack = st.stacks[st.stack[i]];
    // Where the previous sample ended, and how much of its stack this one continues.
    let keep = 0;
    let startUs = us(t);
    if (tr.open.length) {
      if (t - tr.lastT <= maxGap) {
        while (keep < tr.open.length && keep < stack.length && tr.open[keep].frame === stack[keep]) keep++;
        // A frame that ends here and begins again at another depth (a function met from a
        // different caller, a recursive import) would end and begin at one instant under one
        // name: viewers pair ends with begins by name at equal times, and speedscope then nests
        // the new slice inside the old one and drops the old one's parents' ends (warning on
        // each). The new frames begin a microsecond later instead; their parents continue.
        const ending = new Set(tr.open.slice(keep).map((o) => o.frame));
        if (stack.slice(keep).some((f) => ending.has(f))) startUs += 1;
        close(tr, keep, t);
      } else close(tr, 0, tr.lastT + intervalMs);
    }
    if (out.length + stack.length - keep > maxSlices) {
      // Full: every track ends here (this one's frames that did not continue already have).
      cutAt = t;
      break;
    }
    for (let d = keep; d < stack.length; d++) {
      const e: TraceEvent = { name: names[stack[d]], cat: 'stack', ph: 'X', ts: startUs, dur: 0, pid: st.pid[i], tid: tr.tid };
      out.push(e);
      tr.open.push({ frame: stack[d], ev: e });
    }
    tr.lastT = t;
    threadSamples++;
  }
  for (const tr of tracks.values()) close(tr, 0, cutAt !== null && cutAt - tr.lastT <= maxGap ? cutAt : tr.lastT + intervalMs);
  // A frame that lasted less than a microsecond (two samples at one instant) is no slice.
  let slices = 0;
  for (const e of out) {
    if ((e.dur ?? 0) > 0) {
      ev.push(e);
      slices++;
    }
  }
  const allThreadSamples = st.t.length - taskSamples;
  const drawn = threadSamples === allThreadSamples ? `${threadSamples}` : `${threadSamples} of ${allThreadSamples}`;
  const parts = [`${drawn} thread stack samples at ${st.rateHz} Hz on ${tracks.size} code track(s), as ${slices} slices`];
  if (cutAt !== null) parts.push(`cut at ${(cutAt / 1000).toFixed(2)} s: a trace holds at most ${maxSlices} stack slices`);
  if (taskSamples) parts.push(`${taskSamples} suspended asyncio task samples not drawn (tasks waiting at once cannot nest on one track; see the findings)`);
  return parts.join('; ');
}

/**
 * Slice names per frame: "count() at work.py:12". Two frames that would read the same (the file
 * cut to its last two parts) get their frame number too: viewers pair a slice's end with its
 * start by name, and two different frames of one name next to each other would be mismatched.
 */
function frameNames(st: StackSamples): string[] {
  const texts = st.frames.map(frameText);
  const seen = new Map<string, number>();
  for (const t of texts) seen.set(t, (seen.get(t) ?? 0) + 1);
  return texts.map((t, i) => ((seen.get(t) ?? 0) > 1 ? `${t} [frame ${i}]` : t));
}
