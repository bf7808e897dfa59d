// After a run: the verdict in plain words, then the evidence for it, so the claim can be checked.
import type { RunRecord } from '../../shared/types';
import { clear, h } from '../util/dom';
import { fmtBytes, fmtCores, fmtMs } from '../util/format';
import { verdictNames } from './scenarioPicker';

export class VerdictPanel {
  readonly el = h('section', { class: 'verdict-panel', 'data-testid': 'verdict-panel', hidden: true });

  show(record: RunRecord | null): void {
    clear(this.el);
    this.el.hidden = !record;
    if (!record) return;
    const r = record.result;
    const cores = r.cores.length;
    const windows = new Map<string, number>();
    for (const w of r.windows) windows.set(w.kind, (windows.get(w.kind) ?? 0) + 1);
    const reasons = [...new Set(r.windows.map((w) => w.reason?.text).filter(Boolean))].slice(0, 3);
    const evidence: [string, string][] = [
      ['Wall time', fmtMs(r.wallMs)],
      ['CPU time', `${fmtMs(r.cpu.totalMs)} (user ${fmtMs(r.cpu.userMs)}, system ${fmtMs(r.cpu.systemMs)})`],
      ['Effective parallelism', `${fmtCores(r.parallelism)} of ${cores} cores`],
      ['Peak tasks in flight', r.peakConcurrency === null ? 'not reported' : String(r.peakConcurrency)],
      ['Busiest cores', r.cores.slice().sort((a, b) => b.busyPct - a.busyPct).slice(0, 4).map((c) => `cpu${c.id} ${c.busyPct.toFixed(0)}%`).join(', ')],
      ['Threads / processes', `${r.threads.length} / ${r.processes}`],
      ['Event-loop lag', r.lag ? `p50 ${fmtMs(r.lag.p50Ms)}, p99 ${fmtMs(r.lag.p99Ms)}, max ${fmtMs(r.lag.maxMs)}` : 'not measured'],
      ['Windows', [...windows].map(([k, n]) => `${n}× ${verdictNames[k] ?? k}`).join(', ') || '—'],
      ['Peak memory', fmtBytes(r.peakRssBytes)],
      ['Other load on the machine', `${r.noisePct.toFixed(1)}% of all cores`],
      ['Exit', `${r.exit.reason}${r.exit.code !== null ? ` (code ${r.exit.code})` : ''}${r.exit.signal ? ` (${r.exit.signal})` : ''}`],
    ];
    const parts: (HTMLElement | null)[] = [
      h('h2', {}, 'Verdict'),
      h('p', { class: `verdict-text verdict-${r.verdict.kind}`, 'data-testid': 'verdict-text' }, h('strong', {}, `${verdictNames[r.verdict.kind] ?? r.verdict.kind}: `), r.verdict.text),
      reasons.length ? h('p', { class: 'reasons' }, `Why cores sat idle: ${reasons.join('; ')}.`) : null,
      h('dl', { class: 'evidence' }, ...evidence.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      r.warnings.length ? h('ul', { class: 'warnings' }, ...r.warnings.map((w) => h('li', {}, w))) : null,
      record.stderr.trim() ? h('details', { class: 'stderr' }, h('summary', {}, 'Workload stderr'), h('pre', {}, record.stderr.slice(-8000))) : null,
    ];
    this.el.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  }
}
