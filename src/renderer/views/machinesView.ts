// Sessions side by side (machines): the hardware table, the same scenarios in columns (wall,
// CPU, parallelism, verdict), speedup curves of every machine on one chart (absolute, and as a
// share of each machine's logical cores), and every difference that is not the machine itself
// flagged — computed by compareSessions, the same function the CLI and the HTML report use.
import type { Chart } from 'chart.js';
import { compareSessions, type LabelledSession, type RunCell } from '../../shared/sessionCompare';
import { MACHINE_COLORS, speedupChart } from '../charts/speedupChart';
import { clear, h } from '../util/dom';
import { fmtCores, fmtMs } from '../util/format';
import type { ChartExport } from './runCharts';
import { verdictName } from './kindNames';

export interface MachinesViewActions {
  onExport(chart: ChartExport): void;
  onRemove(index: number): void;
  onReport(): void;
  onClose(): void;
}

export class MachinesView {
  readonly el = h('section', { class: 'machines', 'data-testid': 'machines-view', hidden: true });
  private charts: Chart[] = [];

  constructor(private readonly actions: MachinesViewActions) {}

  show(sessions: LabelledSession[]): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    clear(this.el);
    this.el.hidden = sessions.length === 0;
    if (!sessions.length) return;
    const cmp = compareSessions(sessions);
    this.el.dataset.machines = String(sessions.length);
    const color = (i: number) => MACHINE_COLORS[i % MACHINE_COLORS.length];
    const head = h('tr', {}, h('th', {}, ''), ...cmp.labels.map((l, i) => h('th', { class: 'machine-label', style: `color:${color(i)}` }, l, ' ', h('button', { type: 'button', class: 'small link', title: 'close this session', 'aria-label': `close ${l}`, onclick: () => this.actions.onRemove(i) }, '×'))));
    const hwRows = [...cmp.hardware, ...cmp.runtimes].map((r) =>
      h('tr', { class: r.differs ? 'differs' : '', 'data-field': r.field }, h('th', {}, r.field), ...r.values.map((v) => h('td', {}, v))),
    );
    this.el.append(
      h(
        'div',
        { class: 'panel-head' },
        h('h2', {}, sessions.length > 1 ? `Machines side by side: ${cmp.labels.join(' vs ')}` : `Session: ${cmp.labels[0]}`),
        h('span', { class: 'head-actions' }, h('button', { type: 'button', class: 'small', 'data-testid': 'compare-report', onclick: () => this.actions.onReport() }, 'HTML report'), h('button', { type: 'button', class: 'small', onclick: () => this.actions.onClose() }, 'Close all')),
      ),
      cmp.flags.length
        ? h('div', { class: 'flags-box' }, h('strong', {}, 'Not like for like:'), h('ul', { class: 'flags', 'data-testid': 'compare-flags' }, ...cmp.flags.map((f) => h('li', {}, f))))
        : h('p', { class: 'small-text', 'data-testid': 'compare-flags-none' }, 'No differences flagged besides the machines themselves.'),
      h('h3', {}, 'Hardware and runtimes'),
      h('table', { class: 'hw-table', 'data-testid': 'hardware-table' }, h('thead', {}, head), h('tbody', {}, ...hwRows)),
    );

    if (cmp.scenarios.length) {
      const rows = cmp.scenarios.map((row) =>
        h(
          'tr',
          { class: row.flags.length ? 'differs' : '', 'data-scenario-row': row.key },
          h('th', {}, row.key, row.flags.length ? h('ul', { class: 'flags row-flags' }, ...row.flags.map((f) => h('li', {}, f))) : null),
          ...row.cells.map((c) => cellView(c)),
        ),
      );
      this.el.append(
        h('h3', {}, 'Scenarios side by side'),
        h('table', { class: 'hw-table scen-table', 'data-testid': 'scenario-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'scenario'), ...cmp.labels.map((l, i) => h('th', { style: `color:${color(i)}` }, l)))), h('tbody', {}, ...rows)),
      );
    }

    for (const row of cmp.sweeps) {
      const series = row.series
        .map((s, i) => ({ s, i }))
        .filter((x) => x.s.sweep)
        .map(({ s, i }) => ({ label: s.label, color: color(i), logicalCores: s.logicalCores, points: s.sweep!.points, fit: s.sweep!.amdahl }));
      const abs = h('canvas', { 'data-testid': 'machines-speedup' });
      const share = h('canvas', { 'data-testid': 'machines-share' });
      const title = `Scaling of ${row.scenario}`;
      const png = (id: string, t: string, c: HTMLCanvasElement, label: string) => h('button', { type: 'button', class: 'small', 'data-export-png': id, onclick: () => this.actions.onExport({ id, title: t, canvas: () => c }) }, label);
      this.el.append(
        h('div', { class: 'panel-head' }, h('h3', {}, title), h('span', { class: 'head-actions' }, 'PNG of', png(`speedup-${row.scenario}`, `${title}: speedup`, abs, 'speedup'), png(`share-${row.scenario}`, `${title}: share of cores`, share, 'share of cores'))),
        h('ul', { class: 'flags row-flags' }, ...row.flags.map((f) => h('li', {}, f))),
        h(
          'ul',
          { class: 'fits' },
          ...row.series.map((s, i) =>
            h('li', { style: `color:${color(i)}` }, `${s.label}: `, s.sweep?.amdahl ? `serial fraction ${s.sweep.amdahl.serialFraction.toFixed(3)}${s.sweep.amdahl.maxSpeedup ? `, ceiling ${s.sweep.amdahl.maxSpeedup.toFixed(1)}×` : ', no ceiling'} on ${s.logicalCores} logical cores` : s.sweep ? 'no Amdahl fit (too few points)' : 'not swept'),
          ),
        ),
        h('div', { class: 'two-charts' }, h('div', { class: 'chart-box sweep-chart-box' }, abs), h('div', { class: 'chart-box sweep-chart-box' }, share)),
      );
      this.charts.push(speedupChart(abs, series, 'speedup'), speedupChart(share, series, 'share'));
    }
  }
}

function cellView(c: RunCell | null): HTMLElement {
  if (!c) return h('td', { class: 'missing' }, 'not recorded');
  return h(
    'td',
    { class: 'run-cell' },
    h('div', { class: `verdict-${c.verdict}` }, verdictName(c.verdict)),
    h('div', {}, `wall ${fmtMs(c.wallMs)} · CPU ${fmtMs(c.cpuMs)}`),
    h('div', { class: 'parallelism' }, `parallelism ${fmtCores(c.parallelism)}`),
    h('div', { class: 'small-text' }, `${c.params} · ${c.rateHz} Hz · ${c.runtime}`),
    c.ok ? null : h('div', { class: 'bad' }, 'failed or cut short'),
  );
}
