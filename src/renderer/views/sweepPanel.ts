// A sweep's result in the app: speedup against task count with the ideal line, the core count
// and the Amdahl fit, plus the serial fraction as a number — where scaling stops. (The controls
// under the run form are in sweepControls.ts: they are on the page before Chart.js is loaded.)
import type { Chart } from 'chart.js';
import { amdahlText, speedupBasisText, type SweepResult } from '../../shared/sweep';
import { MACHINE_COLORS, speedupChart } from '../charts/speedupChart';
import { clear, h } from '../util/dom';
import { fmtCores, fmtMs, paramsSummary } from '../util/format';
import type { ChartExport } from './runCharts';

export class SweepView {
  readonly el = h('section', { class: 'sweep-view', 'data-testid': 'sweep-view', hidden: true });
  private chart: Chart | null = null;

  constructor(private readonly onExport: (chart: ChartExport) => void) {}

  show(sw: SweepResult | null, title = ''): void {
    this.chart?.destroy();
    this.chart = null;
    clear(this.el);
    this.el.hidden = !sw;
    if (!sw) return;
    const canvas = h('canvas', { 'data-testid': 'sweep-chart' });
    const heading = `Scaling sweep: ${title || sw.scenario}`;
    const params = paramsSummary(sw.params);
    this.el.dataset.points = String(sw.points.length);
    this.el.dataset.serialFraction = sw.amdahl ? sw.amdahl.serialFraction.toFixed(4) : '';
    this.el.append(
      h(
        'div',
        { class: 'panel-head' },
        h('h2', {}, heading, ' ', h('small', { class: 'sweep-meta' }, `${params ? `${params} · ` : ''}${sw.repeat}× each · ${sw.logicalCores} logical cores${sw.complete ? '' : ' · INCOMPLETE (stopped)'}`)),
        h('button', { type: 'button', class: 'small', 'data-export-png': 'sweep', onclick: () => this.onExport({ id: 'sweep', title: heading, canvas: () => canvas }) }, 'PNG'),
      ),
      h('p', { class: 'amdahl', 'data-testid': 'sweep-amdahl' }, amdahlText(sw)),
      h(
        'div',
        { class: 'sweep-body' },
        h('div', { class: 'chart-box sweep-chart-box' }, canvas),
        h(
          'table',
          { class: 'sweep-table', 'data-testid': 'sweep-table' },
          h('thead', {}, h('tr', {}, ...['tasks', 'runs', 'wall', 'parallelism', 'speedup', 'efficiency'].map((c) => h('th', {}, c)))),
          h(
            'tbody',
            {},
            ...sw.points.map((p) =>
              h(
                'tr',
                { 'data-tasks': p.tasks },
                h('td', { class: 'num' }, String(p.tasks)),
                h('td', { class: 'num' }, String(p.runs)),
                h('td', { class: 'num' }, fmtMs(p.wallMs.mean)),
                h('td', { class: 'num' }, fmtCores(p.parallelism.mean)),
                h('td', { class: 'num speedup', 'data-value': p.speedup ? p.speedup.mean.toFixed(4) : '' }, p.speedup ? fmtCores(p.speedup.mean) : '—'),
                h('td', { class: 'num' }, p.efficiency === null ? '—' : `${Math.round(p.efficiency * 100)} %`),
              ),
            ),
          ),
        ),
      ),
      h('p', { class: 'hint', 'data-testid': 'speedup-basis' }, speedupBasisText(sw)),
    );
    this.chart = speedupChart(canvas, [{ label: 'this machine', color: MACHINE_COLORS[0], logicalCores: sw.logicalCores, points: sw.points, fit: sw.amdahl }], 'speedup');
  }
}
