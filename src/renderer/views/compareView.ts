// Two or more runs side by side on the same axes: the workload's cores' worth over time for
// each, a bar chart of wall time, CPU time and parallelism, and each run's verdict.
import { Chart } from 'chart.js';
import { setupChartJs } from '../charts/setupChartJs';
import { palette } from '../charts/layout';
import { clear, h } from '../util/dom';
import { fmtCores, fmtMs, paramsSummary } from '../util/format';
import type { ChartExport } from './runCharts';
import type { RunEntry } from './resultsTable';
import { verdictName } from './kindNames';

type Pt = { x: number; y: number };

export class CompareView {
  readonly el = h('section', { class: 'compare', 'data-testid': 'compare-view', hidden: true });
  private charts: Chart[] = [];

  constructor(private readonly onExport: (chart: ChartExport) => void) {}

  show(entries: RunEntry[], heading = 'Comparison'): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    clear(this.el);
    this.el.hidden = entries.length < 2;
    if (entries.length < 2) return;
    setupChartJs();
    const overlay = h('canvas', { 'data-testid': 'compare-overlay' });
    const bars = h('canvas', { 'data-testid': 'compare-bars' });
    const cores = Math.max(...entries.map((e) => e.record.samples.coreCount), 1);
    const maxT = Math.max(...entries.map((e) => e.record.result.wallMs), 1000) / 1000;
    const button = (id: string, title: string, canvas: HTMLCanvasElement) =>
      h('button', { type: 'button', class: 'small', 'data-export-png': id, onclick: () => this.onExport({ id, title, canvas: () => canvas }) }, 'PNG');

    this.el.append(
      h('div', { class: 'panel-head' }, h('h2', {}, heading), h('button', { type: 'button', class: 'small', onclick: () => this.show([]) }, 'Close')),
      h(
        'div',
        { class: 'compare-cards' },
        ...entries.map((e, i) =>
          h(
            'div',
            { class: 'compare-card', style: `border-top-color:${palette.runs[i % palette.runs.length]}` },
            h('div', { class: 'card-title' }, e.title),
            h('div', { class: 'params' }, paramsSummary(e.record.result.params.scenario?.params)),
            h('div', { class: 'card-value' }, fmtCores(e.record.result.parallelism), h('span', { class: 'unit' }, ' parallelism')),
            h('div', {}, `wall ${fmtMs(e.record.result.wallMs)} · CPU ${fmtMs(e.record.result.cpu.totalMs)}`),
            h('div', { class: `verdict-${e.record.result.verdict.kind}` }, verdictName(e.record.result.verdict.kind)),
            h('p', { class: 'small-text' }, e.record.result.verdict.text),
          ),
        ),
      ),
      h('div', { class: 'panel-head' }, h('h3', {}, 'Workload CPU over time (cores’ worth), same axes'), button('compare-overlay', `${heading}: workload CPU over time`, overlay)),
      h('div', { class: 'chart-box', style: 'height:240px' }, overlay),
      h('div', { class: 'panel-head' }, h('h3', {}, 'Wall time, CPU time, parallelism'), button('compare-bars', `${heading}: wall, CPU, parallelism`, bars)),
      h('div', { class: 'chart-box', style: 'height:240px' }, bars),
    );

    this.charts.push(
      new Chart<'line', Pt[]>(overlay, {
        type: 'line',
        data: {
          datasets: entries.map((e, i) => ({
            label: e.title,
            data: e.record.samples.t.map((t, k) => ({ x: t / 1000, y: e.record.samples.workloadCores[k] ?? 0 })),
            borderColor: palette.runs[i % palette.runs.length],
            borderWidth: 2,
            backgroundColor: 'transparent',
          })),
        },
        options: {
          animation: false,
          parsing: false,
          normalized: true,
          maintainAspectRatio: false,
          elements: { point: { radius: 0 }, line: { tension: 0 } },
          scales: {
            x: { type: 'linear', min: 0, max: maxT, title: { display: true, text: 'seconds since start' } },
            y: { type: 'linear', min: 0, max: cores, title: { display: true, text: 'cores' } },
          },
        },
      }),
    );
    this.charts.push(
      new Chart(bars, {
        type: 'bar',
        data: {
          labels: ['wall time (s)', 'CPU time (s)', 'parallelism (cores)'],
          datasets: entries.map((e, i) => ({
            label: e.title,
            data: [e.record.result.wallMs / 1000, e.record.result.cpu.totalMs / 1000, e.record.result.parallelism],
            backgroundColor: palette.runs[i % palette.runs.length],
          })),
        },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
      }),
    );
  }
}
