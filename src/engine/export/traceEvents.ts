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
import type { RunRecord, WorkloadEvent } from '../../shared/types';

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
/** A thread counts as running in a sample when it used at least this share of a core. */
const RUNNING = 0.02;

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

export function runToTrace(record: RunRecord, meta: { corescopeVersion?: string } = {}): TraceFile {
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
  if (phases.length) {
    ev.push({ name: 'process_name', ph: 'M', ts: 0, pid: PHASES_PID, tid: 0, args: { name: 'Phases (what the run did, in order)' } });
    ev.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid: PHASES_PID, tid: 0, args: { sort_index: -2 } });
    ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PHASES_PID, tid: 1, args: { name: 'phases' } });
    for (const p of phases) {
      const ts = us(p.fromMs);
      const args = { text: p.text, cores: p.cores, demand: p.demand, otherCores: p.otherCores, threads: p.threads, tasks: p.tasks };
      ev.push({ name: `phase: ${p.kind}`, cat: 'phase', ph: 'X', ts, dur: Math.max(1, us(p.toMs) - ts), pid: PHASES_PID, tid: 1, args });
    }
  }

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
  s.threads.forEach((th, k) => {
    if (!pids.has(th.pid)) {
      pids.add(th.pid);
      ev.push({ name: 'process_name', ph: 'M', ts: 0, pid: th.pid, tid: 0, args: { name: `pid ${th.pid}` } });
    }
    ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid: th.pid, tid: th.tid, args: { name: `${th.name} [${th.role}]` } });
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
    }
    const args = { task: sp.task, reportedBy: `pid ${sp.pid} tid ${sp.tid}`, ...(sp.unfinished ? { unfinished: true } : {}) };
    ev.push({ name: `task ${sp.task}`, cat: 'task', ph: 'B', ts: us(sp.from), pid: sp.pid, tid, args });
    // The same args on the end: viewers that match an end to its begin by name and args (speedscope) pair them exactly.
    ev.push({ name: `task ${sp.task}`, cat: 'task', ph: 'E', ts: us(sp.to), pid: sp.pid, tid, args });
  }

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
      ...(r.serialFraction ? { serialFraction: String(r.serialFraction.fraction), amdahlCeiling: r.serialFraction.ceiling === null ? 'none' : String(r.serialFraction.ceiling) } : {}),
    },
  };
}
