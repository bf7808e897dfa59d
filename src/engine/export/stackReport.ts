// "Which code" in the HTML report (issue #15): from a run's stack samples (shared/stackSamples.ts)
// and the findings attribution.ts made of them —
// - the findings: blocked event loops longest first, then the rest (GIL, waiting, hottest code)
//   in time order, each with its text;
// - the flagged windows, grouped by their reason, each group with the code lines of its windows;
// - for each flagged phase (interleaved, contended, blocked, waiting) and each group of flagged
//   windows, the top stacks in it: innermost frame first with a few callers, ranked by the CPU
//   time the samples stand for — or, where the stretch is one of waiting, by the time samples
//   spent waiting (a waiting thread uses no CPU, so CPU would rank nothing).
// Every name and file in a frame comes from the user's program: all of it goes through esc().
import type { StackFrame, StackSamples } from '../../shared/stackSamples';
import { frameText } from '../../shared/stackSamples';
import type { Finding, Phase, RunRecord, RunSamples, WindowVerdict } from '../../shared/types';
import { esc } from './svgCharts';
import { SampleWeights, lowerBound } from '../../shared/sampleWeights';

/** The phase kinds whose top stacks the report shows. */
export const FLAGGED_PHASES: readonly string[] = ['interleaved', 'contended', 'blocked', 'waiting'];
/** Rows per top-stacks table. */
export const TOP_STACKS = 5;
/** Callers shown under each stack's innermost frame. */
const CALLERS = 3;
/** At most this many phases get a table (the longest flagged ones); the rest are counted. */
export const MAX_PHASE_TABLES = 8;
/** At most this many findings per list (blocked loops; the others). */
export const MAX_FINDINGS_SHOWN = 10;

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const msText = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const pct = (x: number): string => `${Math.round(100 * x)} %`;

export interface StackRow {
  /** Innermost first: the running frame, then up to CALLERS callers. */
  frames: StackFrame[];
  /** CPU ms (by 'cpu') or waiting ms (by 'wait') the samples stand for. */
  ms: number;
  samples: number;
  /** Who ran it: thread names (or "asyncio task"). */
  threads: string[];
}

export interface TopStacks {
  rows: StackRow[];
  /** The weight of every sample in the stretch, the rows' shares are of this. */
  totalMs: number;
  samples: number;
}

/**
 * The top stacks over some stretches of a run (sorted, not overlapping): grouped by the innermost
 * frame and its CALLERS callers, ranked by CPU ('cpu': thread samples) or by time spent waiting
 * ('wait': suspended asyncio tasks, and thread samples that were not running).
 */
export function topStacks(st: StackSamples, run: RunSamples, stretches: readonly { fromMs: number; toMs: number }[], by: 'cpu' | 'wait', n = TOP_STACKS): TopStacks {
  const w = new SampleWeights(st, run);
  const groups = new Map<string, { frames: number[]; ms: number; samples: number; threads: Map<string, number> }>();
  let totalMs = 0;
  let samples = 0;
  for (const { fromMs, toMs } of stretches) {
    for (let i = lowerBound(st.t, fromMs); i < st.t.length && st.t[i] < toMs; i++) {
      let weight: number;
      if (by === 'cpu') {
        if (st.task[i]) continue;
        weight = w.cpuOf(i);
      } else {
        if (!st.task[i] && w.running(i)) continue;
        weight = w.intervalMs;
      }
      const stack = st.stacks[st.stack[i]];
      if (!stack.length) continue;
      samples++;
      totalMs += weight;
      const frames = stack.slice(-(CALLERS + 1)).reverse();
      const key = frames.join(',');
      let g = groups.get(key);
      if (!g) {
        g = { frames, ms: 0, samples: 0, threads: new Map() };
        groups.set(key, g);
      }
      g.ms += weight;
      g.samples++;
      const who = sampleThreadName(st, w, i);
      g.threads.set(who, (g.threads.get(who) ?? 0) + weight);
    }
  }
  const rows = [...groups.values()]
    .filter((g) => g.ms > 0)
    .sort((a, b) => b.ms - a.ms || b.samples - a.samples)
    .slice(0, n)
    .map((g) => ({
      frames: g.frames.map((id) => st.frames[id]),
      ms: g.ms,
      samples: g.samples,
      threads: [...g.threads.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name),
    }));
  return { rows, totalMs, samples };
}

/** A top-stacks table, or a line saying the stretch had no samples to rank. */
export function stackTable(top: TopStacks, by: 'cpu' | 'wait'): string {
  if (!top.rows.length) return `<p class="sub">No ${by === 'cpu' ? 'CPU-using' : 'waiting'} stack samples in this stretch.</p>`;
  const head = `<tr><th>#</th><th>code (innermost first, then its callers)</th><th>${by === 'cpu' ? 'CPU' : 'time waiting'}</th><th>share</th><th>samples</th><th>threads</th></tr>`;
  const rows = top.rows.map((r, k) => {
    const [leaf, ...callers] = r.frames;
    const code = `<code>${esc(frameText(leaf))}</code>${callers.map((f) => `<br><span class="callers">← <code>${esc(frameText(f))}</code></span>`).join('')}`;
    const threads = r.threads.slice(0, 3).join(', ') + (r.threads.length > 3 ? ` +${r.threads.length - 3}` : '');
    return `<tr><td class="num">${k + 1}</td><td>${code}</td><td class="num">${msText(r.ms)}</td><td class="num">${top.totalMs > 0 ? pct(r.ms / top.totalMs) : '–'}</td><td class="num">${r.samples}</td><td>${esc(threads)}</td></tr>`;
  });
  return `<table data-table="stacks" data-by="${by}">${head}${rows.join('')}</table>`;
}

function findingRow(f: Finding): string {
  return `<tr data-finding="${esc(f.kind)}"><td>${esc(f.kind)}</td><td class="num">${secs(f.fromMs)} – ${secs(f.toMs)}</td><td class="num">${msText(f.toMs - f.fromMs)}</td><td>${esc(`${f.thread} (pid ${f.pid})`)}</td><td>${esc(f.text)}</td></tr>`;
}

/** The findings: blocked loops longest first, then the others in time order, each list capped. */
export function findingsTable(findings: readonly Finding[]): string {
  if (!findings.length) return '';
  const blocked = findings.filter((f) => f.kind === 'blocked').sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs));
  const others = findings.filter((f) => f.kind !== 'blocked').sort((a, b) => a.fromMs - b.fromMs);
  const head = '<tr><th>kind</th><th>from – to</th><th>for</th><th>thread</th><th>which code</th></tr>';
  const rows = [...blocked.slice(0, MAX_FINDINGS_SHOWN), ...others.slice(0, MAX_FINDINGS_SHOWN)].map(findingRow);
  const more: string[] = [];
  if (blocked.length > MAX_FINDINGS_SHOWN) {
    const rest = blocked.slice(MAX_FINDINGS_SHOWN);
    more.push(`${rest.length} more blocks of the event loop, the longest ${msText(rest[0].toMs - rest[0].fromMs)}`);
  }
  if (others.length > MAX_FINDINGS_SHOWN) more.push(`${others.length - MAX_FINDINGS_SHOWN} more findings after ${secs(others[MAX_FINDINGS_SHOWN - 1].toMs)}`);
  return `<h4>Findings</h4><table data-table="findings">${head}${rows.join('')}</table>${more.length ? `<p class="sub">${esc(more.join('; '))} (all of them are in the run's JSON).</p>` : ''}`;
}

const byOfPhase = (kind: string): 'cpu' | 'wait' => (kind === 'waiting' ? 'wait' : 'cpu');
const byOfReason = (kind: string): 'cpu' | 'wait' => (kind === 'io-wait' ? 'wait' : 'cpu');

/** Flagged windows grouped by reason: how many, their code lines (most frequent first), their top stacks. */
export function windowGroups(windows: readonly WindowVerdict[], st: StackSamples | undefined, run: RunSamples): string {
  const groups = new Map<string, { label: string; list: WindowVerdict[] }>();
  for (const w of windows) {
    if (!w.reason) continue;
    const g = groups.get(w.reason.kind) ?? { label: w.reason.text.replace(/:.*$/, ''), list: [] };
    g.list.push(w);
    groups.set(w.reason.kind, g);
  }
  const withCode = [...groups.entries()].filter(([, g]) => g.list.some((w) => w.code));
  if (!withCode.length) return '';
  const parts = withCode
    .sort((a, b) => b[1].list.length - a[1].list.length)
    .map(([kind, g]) => {
      const codes = new Map<string, number>();
      for (const w of g.list) if (w.code) codes.set(w.code, (codes.get(w.code) ?? 0) + 1);
      const lines = [...codes.entries()].sort((a, b) => b[1] - a[1]);
      const shown = lines.slice(0, 3).map(([text, n]) => `<li class="code-line">${esc(text)}${n > 1 ? ` <small>(${n} windows)</small>` : ''}</li>`);
      const more = lines.length > 3 ? `<li><small>${lines.length - 3} other code lines</small></li>` : '';
      const by = byOfReason(kind);
      const table = st?.t.length ? stackTable(topStacks(st, run, mergeStretches(g.list), by), by) : '';
      return `<section data-window-group="${esc(kind)}"><p><strong>${esc(g.label)}</strong> — ${g.list.length} of ${windows.length} windows; which code:</p><ul>${shown.join('')}${more}</ul>${table}</section>`;
    });
  return `<h4>Flagged windows</h4>${parts.join('')}`;
}

/** The top stacks of each flagged phase (the longest MAX_PHASE_TABLES of them, in time order). */
export function phaseStacks(phases: readonly Phase[], st: StackSamples, run: RunSamples): string {
  const flagged = phases.map((p, i) => ({ p, i })).filter(({ p }) => FLAGGED_PHASES.includes(p.kind));
  if (!flagged.length) return '';
  const shown = flagged
    .slice()
    .sort((a, b) => b.p.toMs - b.p.fromMs - (a.p.toMs - a.p.fromMs))
    .slice(0, MAX_PHASE_TABLES)
    .sort((a, b) => a.i - b.i);
  const parts = shown.map(({ p, i }) => {
    const by = byOfPhase(p.kind);
    const code = p.code ? `<p class="code-line">${esc(p.code)}</p>` : '';
    return `<section data-phase-stacks="${i + 1}"><p><strong>Phase ${i + 1}: ${esc(p.kind)}</strong>, ${secs(p.fromMs)} – ${secs(p.toMs)}</p>${code}${stackTable(topStacks(st, run, [p], by), by)}</section>`;
  });
  const rest = flagged.length - shown.length;
  return `<h4>Top stacks of each flagged phase</h4>${parts.join('')}${rest > 0 ? `<p class="sub">${rest} shorter flagged phases not shown.</p>` : ''}`;
}

function summary(st: StackSamples): string {
  let tasks = 0;
  for (const x of st.task) tasks += x;
  const byRuntime = new Map<string, number>();
  for (const src of st.sources) byRuntime.set(src.runtime, (byRuntime.get(src.runtime) ?? 0) + 1);
  const from = [...byRuntime.entries()].map(([rt, n]) => `${n} ${rt === 'python' ? 'Python' : 'Node.js'}`).join(', ');
  const text = `${st.t.length - tasks} thread stack samples${tasks ? ` and ${tasks} of suspended asyncio tasks` : ''} at ${st.rateHz} Hz${from ? ` from ${from} process(es)` : ''}.`;
  return `<p class="sub" data-stacks-summary>${esc(text)}</p>`;
}

/** The "Which code" section of one run: '' for a run without stack samples, findings or code lines. */
export function whichCodeSection(rec: RunRecord): string {
  const r = rec.result;
  const st = rec.stacks?.t.length ? (rec.stacks as StackSamples) : undefined;
  const findings = r.findings ?? [];
  const anyCode = r.windows.some((w) => w.code) || (r.phases ?? []).some((p) => p.code);
  if (!st && !findings.length && !anyCode) return '';
  const parts = [
    '<h3>Which code</h3>',
    st ? summary(st) : '',
    findingsTable(findings),
    windowGroups(r.windows, st, rec.samples),
    st ? phaseStacks(r.phases ?? [], st, rec.samples) : '',
  ];
  return `<section data-which-code>${parts.join('')}</section>`;
}

/** Windows as stretches, touching ones merged. */
function mergeStretches(windows: readonly WindowVerdict[]): { fromMs: number; toMs: number }[] {
  const out: { fromMs: number; toMs: number }[] = [];
  for (const w of windows.slice().sort((a, b) => a.fromMs - b.fromMs)) {
    const last = out[out.length - 1];
    if (last && w.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, w.toMs);
    else out.push({ fromMs: w.fromMs, toMs: w.toMs });
  }
  return out;
}

/** Who a sample is of, for a table: a task, the probe's name for the thread, the run's, or its id. */
function sampleThreadName(st: StackSamples, w: SampleWeights, i: number): string {
  if (st.task[i]) return 'asyncio task';
  const tid = st.tid[i];
  return st.threadName[i] || w.runThreadName(tid) || (tid ? `tid ${tid}` : `pid ${st.pid[i]}`);
}
