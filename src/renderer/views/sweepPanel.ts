// Sweeps in the app: the controls under the run form (task counts, repeats, Sweep / Stop,
// "run 3/6"), and the result: speedup against task count with the ideal line, the core count
// and the Amdahl fit, plus the serial fraction as a number — where scaling stops.
import type { Chart } from 'chart.js';
import type { ScenarioInfo } from '../../shared/model';
import { amdahlText, speedupBasisText, type SweepResult } from '../../shared/sweep';
import { MACHINE_COLORS, speedupChart } from '../charts/speedupChart';
import { clear, h } from '../util/dom';
import { fmtCores, fmtMs, paramsSummary } from '../util/format';
import type { ChartExport } from './runCharts';

export class SweepControls {
  readonly el: HTMLElement;
  readonly tasks = h('input', { type: 'text', name: 'sweep-tasks', value: '1,2,4', size: 12, 'data-testid': 'sweep-tasks', 'aria-label': 'task counts' });
  readonly repeat = h('input', { type: 'text', name: 'sweep-repeat', value: '1', size: 3, 'data-testid': 'sweep-repeat', 'aria-label': 'repeats' });
  readonly button = h('button', { type: 'button', 'data-testid': 'sweep-button' }, 'Sweep');
  readonly stop = h('button', { type: 'button', 'data-testid': 'sweep-stop', disabled: true }, 'Stop sweep');
  readonly progress = h('span', { class: 'status', 'data-testid': 'sweep-progress', 'aria-live': 'polite' });
  readonly error = h('span', { class: 'field-error', 'data-testid': 'sweep-error' });

  constructor(onSweep: () => void, onStop: () => void) {
    this.button.addEventListener('click', onSweep);
    this.stop.addEventListener('click', onStop);
    this.tasks.addEventListener('input', () => (this.tasks.dataset.touched = '1'), { once: true });
    this.el = h(
      'div',
      { class: 'sweep-controls', 'data-testid': 'sweep-controls', hidden: true },
      h('strong', {}, 'Scaling sweep'),
      h('label', {}, 'tasks ', this.tasks),
      h('label', {}, 'repeats ', this.repeat),
      this.button,
      this.stop,
      this.progress,
      this.error,
    );
  }

  setScenario(s: ScenarioInfo | null, logicalCores: number): void {
    const spec = s?.params.find((p) => p.name === 'tasks');
    this.el.hidden = !spec;
    if (spec) {
      const max = Math.min(spec.max ?? 64, Math.max(2, logicalCores * 2));
      const counts = [1];
      for (let n = 2; n <= max && counts.length < 5; n *= 2) counts.push(n);
      if (!this.tasks.dataset.touched) this.tasks.value = counts.join(',');
    }
  }
}

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
