// Every finished run of this session, newest first. Clicking a row shows that run; ticking two
// or more enables the side-by-side comparison.
import type { RunRecord } from '../../shared/types';
import { h } from '../util/dom';
import { fmtCores, fmtMs, paramsSummary } from '../util/format';
import { verdictName } from './kindNames';
import { exitText, failedOnItsOwn } from './exitText';

export interface RunEntry {
  record: RunRecord;
  title: string;
  /** The machine it ran on, when not this one: its record is kept there, not in this session. */
  on?: string;
}

export class ResultsTable {
  readonly el: HTMLElement;
  private readonly body = h('tbody', {});
  private readonly compareButton: HTMLButtonElement;
  private readonly selected = new Set<string>();
  private entries: RunEntry[] = [];

  constructor(
    private readonly onShow: (entry: RunEntry) => void,
    private readonly onCompare: (entries: RunEntry[]) => void,
  ) {
    this.compareButton = h('button', { type: 'button', disabled: true, 'data-testid': 'compare-button', onclick: () => this.onCompare(this.selectedEntries()) }, 'Compare selected');
    this.el = h(
      'section',
      { class: 'results', 'data-testid': 'results' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Results'), this.compareButton),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...['', 'Scenario', 'Parameters', 'Wall', 'CPU', 'Parallelism', 'Peak tasks', 'Verdict', 'Exit'].map((c) => h('th', {}, c)))),
        this.body,
      ),
    );
  }

  add(entry: RunEntry): void {
    this.entries.unshift(entry);
    const r = entry.record.result;
    const box = h('input', { type: 'checkbox', 'aria-label': `select ${entry.title}` });
    box.addEventListener('click', (e) => e.stopPropagation());
    box.addEventListener('change', () => {
      if (box.checked) this.selected.add(r.runId);
      else this.selected.delete(r.runId);
      this.compareButton.disabled = this.selected.size < 2;
    });
    const row = h(
      'tr',
      { 'data-run-id': r.runId, 'data-scenario': r.scenario ?? 'custom', 'data-verdict': r.verdict.kind, onclick: () => this.onShow(entry) },
      h('td', {}, box),
      h('td', { class: 'title', title: entry.title }, entry.title),
      h('td', { class: 'params', title: paramsSummary(r.params.scenario?.params) || r.params.cmd || '' }, paramsSummary(r.params.scenario?.params) || r.params.cmd || ''),
      h('td', { class: 'num wall' }, fmtMs(r.wallMs)),
      h('td', { class: 'num cpu' }, fmtMs(r.cpu.totalMs)),
      h('td', { class: 'num parallelism', 'data-value': r.parallelism.toFixed(4) }, fmtCores(r.parallelism)),
      h('td', { class: 'num' }, r.peakConcurrency === null ? '—' : String(r.peakConcurrency)),
      h('td', { class: `verdict-${r.verdict.kind}` }, verdictName(r.verdict.kind)),
      h('td', { class: `exit${failedOnItsOwn(r) ? ' bad' : ''}`, 'data-exit': r.exit.reason }, failedOnItsOwn(r) ? `failed: ${exitText(r)}` : exitText(r)),
    );
    this.body.prepend(row);
  }

  /** Every entry, newest first. */
  all(): RunEntry[] {
    return this.entries;
  }

  /** Selects exactly these runs (comparison presets) and returns their entries. */
  selectOnly(runIds: string[]): RunEntry[] {
    this.selected.clear();
    for (const id of runIds) this.selected.add(id);
    for (const row of this.body.querySelectorAll<HTMLTableRowElement>('tr')) {
      row.querySelector<HTMLInputElement>('input[type=checkbox]')!.checked = this.selected.has(row.dataset.runId!);
    }
    this.compareButton.disabled = this.selected.size < 2;
    return this.selectedEntries();
  }

  highlight(runId: string | null): void {
    for (const row of this.body.querySelectorAll<HTMLTableRowElement>('tr')) row.classList.toggle('current', row.dataset.runId === runId);
  }

  private selectedEntries(): RunEntry[] {
    return this.entries.filter((e) => this.selected.has(e.record.result.runId)).reverse();
  }
}
