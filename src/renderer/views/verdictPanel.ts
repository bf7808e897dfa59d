// After a run: the verdict in plain words, then the evidence for it, so the claim can be checked:
// the phases in order, the serial fraction (Amdahl from this one run), why cores sat idle, the
// figures. A failed run says so first, with the end of its stderr in view, not folded away.
import type { RunRecord, RunResult } from '../../shared/types';
import { clear, h } from '../util/dom';
import { fmtBytes, fmtCores, fmtMs } from '../util/format';
import { cpuTimeText, orNotKnown } from '../../shared/figureText';
import { exitText, failedOnItsOwn } from './exitText';
import { kindColor, phaseName, verdictName } from './kindNames';
import { spanText, whichCodeSection } from './whichCode';

/** Selects a stretch of the run in the charts (their stacks panel shows its code). */
export type SelectSpan = (fromMs: number, toMs: number) => void;

/** Below this many idle cores on average, "why cores sat idle" has nothing to explain. */
export const IDLE_WORTH_EXPLAINING = 0.25;
const STDERR_TAIL_LINES = 30;

export class VerdictPanel {
  readonly el = h('section', { class: 'verdict-panel', 'data-testid': 'verdict-panel', hidden: true });

  constructor(private readonly select: SelectSpan = () => undefined) {}

  show(record: RunRecord | null, title = ''): void {
    clear(this.el);
    this.el.hidden = !record;
    if (!record) return;
    const r = record.result;
    const failed = failedOnItsOwn(r);
    this.el.dataset.kind = r.verdict.kind;
    const cores = r.cores.length;
    const windows = new Map<string, number>();
    for (const w of r.windows) windows.set(w.kind, (windows.get(w.kind) ?? 0) + 1);
    const evidence: [string, string][] = [
      ['Wall time', fmtMs(r.wallMs)],
      ['CPU time', cpuTimeText(r.cpu, fmtMs)],
      ['Effective parallelism', `${fmtCores(r.parallelism)} of ${cores} cores`],
      ['Peak tasks in flight', r.peakConcurrency === null ? 'not reported' : String(r.peakConcurrency)],
      ['Busiest cores', r.cores.slice().sort((a, b) => b.busyPct - a.busyPct).slice(0, 4).map((c) => `cpu${c.id} ${c.busyPct.toFixed(0)}%`).join(', ')],
      ['Threads / processes', `${r.threads.length} / ${r.processes}`],
      ['Event-loop lag', r.lag ? `p50 ${fmtMs(r.lag.p50Ms)}, p99 ${fmtMs(r.lag.p99Ms)}, max ${fmtMs(r.lag.maxMs)}` : 'not measured'],
      ['Windows', [...windows].map(([k, n]) => `${n}× ${verdictName(k)}`).join(', ') || '—'],
      ['Peak memory', orNotKnown(r.peakRssBytes, fmtBytes)],
      ['Other load on the machine', `${r.noisePct.toFixed(1)}% of all cores`],
      ['Exit', exitText(r)],
    ];
    const stderr = record.stderr.trim();
    const tail = stderr.split('\n').slice(-STDERR_TAIL_LINES).join('\n');
    const parts: (HTMLElement | null)[] = [
      h('h2', {}, 'Verdict', title ? h('span', { class: 'run-name', 'data-testid': 'verdict-run' }, ` — ${title}`) : null),
      failed
        ? h(
            'div',
            { class: 'failed-box', 'data-testid': 'failed-box', role: 'alert' },
            h('strong', {}, `This run failed (${exitText(r)}).`),
            ' Its figures below describe a program that did not finish its work.',
            stderr ? h('pre', { 'data-testid': 'stderr-tail' }, tail) : h('div', { class: 'small-text' }, 'It wrote nothing to stderr.'),
          )
        : null,
      // Verdict texts begin with their kind in words ("Interleaved (took turns): …", "Failed (exit
      // code 3) …"), old files' too: a name in front would say it twice.
      h('p', { class: `verdict-text verdict-${r.verdict.kind}`, 'data-testid': 'verdict-text', 'data-kind': r.verdict.kind }, r.verdict.text),
      r.verdict.borderline
        ? h('p', { class: 'borderline', 'data-testid': 'verdict-borderline' }, `Borderline: ${r.verdict.borderline.what} was ${r.verdict.borderline.value.toFixed(2)}, within ±${r.verdict.borderline.margin.toFixed(2)} of the ${r.verdict.borderline.line.toFixed(2)} line — another run could read “${verdictName(r.verdict.borderline.other)}”.`)
        : null,
      phaseList(r, this.select),
      // Amdahl from a run that did not finish its work would be a number about nothing.
      failed ? null : serialFractionLine(r),
      failed ? null : idleReasons(r),
      whichCodeSection(record, this.select),
      h('dl', { class: 'evidence' }, ...evidence.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      r.warnings.length ? h('ul', { class: 'warnings' }, ...r.warnings.map((w) => h('li', {}, w))) : null,
      // A good run's stderr is folded (it is noise more often than not); a failed run's is above.
      stderr && !failed ? h('details', { class: 'stderr' }, h('summary', {}, 'Workload stderr'), h('pre', {}, record.stderr.slice(-8000))) : null,
    ];
    this.el.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  }
}

/** The phases in order, each with its colour (as on the strip), span (which selects it) and evidence, and which code ran. */
function phaseList(r: RunResult, select: SelectSpan): HTMLElement | null {
  const phases = r.phases ?? [];
  if (!phases.length) return null;
  return h(
    'div',
    { class: 'phases' },
    h('h3', {}, `Phases (${phases.length})`),
    h(
      'ol',
      { class: 'phase-list', 'data-testid': 'phase-list' },
      ...phases.map((p) =>
        h(
          'li',
          { 'data-kind': p.kind },
          h('span', { class: 'sw', style: `background:${kindColor(p.kind)}` }),
          h('button', { type: 'button', class: 'phase-span span-link', title: 'Select this phase in the charts and show its code', onclick: () => select(p.fromMs, p.toMs) }, spanText(p.fromMs, p.toMs)),
          h('strong', {}, phaseName(p.kind)),
          ` ${p.text}`,
          p.code ? h('div', { class: 'phase-code', 'data-testid': 'phase-code' }, `Code: ${p.code}`) : null,
        ),
      ),
    ),
  );
}

/** Amdahl from this one run: the share of the work done on at most one core, and the ceiling it sets. */
function serialFractionLine(r: RunResult): HTMLElement | null {
  const sf = r.serialFraction;
  if (!sf) return null;
  const ceiling = sf.ceiling === null ? 'no ceiling from this run (no work ran on one core alone)' : `a speedup ceiling of ${sf.ceiling.toFixed(1)}× on any number of cores (Amdahl)`;
  return h(
    'p',
    { class: 'serial-fraction', 'data-testid': 'serial-fraction' },
    h('strong', {}, 'Serial fraction (this run): '),
    `${Math.round(sf.fraction * 100)}% of the CPU work (${fmtMs(sf.serialWorkMs)} of ${fmtMs(sf.serialWorkMs + sf.parallelWorkMs)}) was done while at most one core was busy — ${ceiling}. A sweep fits the same number across task counts.`,
  );
}

/**
 * Why cores sat idle, once per reason with how many windows it explains (one reason repeated per
 * window said nothing more), and only when cores did sit idle: a run that kept every core busy
 * has nothing to explain.
 */
function idleReasons(r: RunResult): HTMLElement | null {
  const idle = r.cores.reduce((s, c) => s + Math.max(0, 100 - c.busyPct), 0) / 100;
  if (idle < IDLE_WORTH_EXPLAINING) return null;
  const byKind = new Map<string, { n: number; text: string }>();
  for (const w of r.windows) {
    if (!w.reason) continue;
    const had = byKind.get(w.reason.kind);
    byKind.set(w.reason.kind, { n: (had?.n ?? 0) + 1, text: had?.text ?? w.reason.text });
  }
  if (!byKind.size) return null;
  const items = [...byKind.values()].sort((a, b) => b.n - a.n);
  return h(
    'div',
    { class: 'reasons', 'data-testid': 'idle-reasons' },
    h('strong', {}, `Why cores sat idle (${idle.toFixed(1)} of ${r.cores.length} cores idle on average):`),
    h('ul', {}, ...items.map((x) => h('li', {}, `${x.text.replace(/:.*$/, '')} — in ${x.n} of ${r.windows.length} windows, e.g. ${x.text.replace(/^[^:]*:\s*/, '')}`))),
  );
}
