// Speedup against task count (Chart.js line chart): each machine's measured speedup (mean, with
// the slowest and fastest repeat as a band), its Amdahl fit dotted, the ideal line, and each
// machine's logical core count as a dashed vertical marker. The 'share' mode plots the cores'
// worth used as a share of each machine's logical cores instead.
import { Chart, type ChartDataset } from 'chart.js';
import type { AmdahlFit, SweepPoint } from '../../shared/sweep';
import { setupChartJs } from './setupChartJs';

export interface SpeedupSeries {
  label: string;
  color: string;
  logicalCores: number;
  points: SweepPoint[];
  fit: AmdahlFit | null;
}

type Pt = { x: number; y: number };

export const MACHINE_COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function speedupChart(canvas: HTMLCanvasElement, series: SpeedupSeries[], mode: 'speedup' | 'share'): Chart<'line', Pt[]> {
  setupChartJs();
  const maxTasks = Math.max(2, ...series.flatMap((s) => s.points.map((p) => p.tasks)));
  const maxCores = Math.max(1, ...series.map((s) => s.logicalCores));
  const xMax = Math.max(maxTasks, Math.min(maxCores, maxTasks * 2));
  const datasets: ChartDataset<'line', Pt[]>[] = [];
  let yMax = mode === 'share' ? 100 : 1;
  for (const s of series) {
    if (mode === 'speedup') {
      const pts = s.points.filter((p) => p.speedup);
      yMax = Math.max(yMax, ...pts.map((p) => p.speedup!.max));
      datasets.push({ label: `${s.label}: measured`, data: pts.map((p) => ({ x: p.tasks, y: p.speedup!.mean })), borderColor: s.color, backgroundColor: s.color, borderWidth: 2.5, pointRadius: 4 });
      if (pts.some((p) => p.speedup!.max - p.speedup!.min > 1e-9)) {
        datasets.push({ label: `${s.label}: fastest repeat`, data: pts.map((p) => ({ x: p.tasks, y: p.speedup!.max })), borderColor: 'transparent', pointRadius: 0, backgroundColor: withAlpha(s.color, 0.12), fill: '+1' });
        datasets.push({ label: `${s.label}: slowest repeat`, data: pts.map((p) => ({ x: p.tasks, y: p.speedup!.min })), borderColor: 'transparent', pointRadius: 0, backgroundColor: 'transparent' });
      }
      if (s.fit) {
        datasets.push({
          label: `${s.label}: Amdahl fit (s = ${s.fit.serialFraction.toFixed(2)})`,
          data: s.fit.curve.filter((c) => c.tasks <= xMax).map((c) => ({ x: c.tasks, y: c.speedup })),
          borderColor: s.color,
          borderDash: [2, 3],
          borderWidth: 1.5,
          pointRadius: 0,
          backgroundColor: 'transparent',
        });
      }
    } else {
      datasets.push({ label: `${s.label}: cores used / ${s.logicalCores}`, data: s.points.map((p) => ({ x: p.tasks, y: p.coreShare * 100 })), borderColor: s.color, backgroundColor: s.color, borderWidth: 2.5, pointRadius: 4 });
    }
  }
  yMax = mode === 'share' ? 100 : Math.ceil(Math.max(yMax, Math.min(xMax, maxCores)) * 1.1 * 2) / 2;
  if (mode === 'speedup') {
    datasets.push({ label: 'ideal (n tasks → n×)', data: [{ x: 1, y: 1 }, { x: xMax + 0.3, y: xMax + 0.3 }], borderColor: '#94a3b8', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, backgroundColor: 'transparent' });
  }
  for (const s of series) {
    if (s.logicalCores > xMax) continue;
    datasets.push({
      label: `${series.length > 1 ? `${s.label}: ` : ''}${s.logicalCores} logical cores`,
      data: [{ x: s.logicalCores, y: 0 }, { x: s.logicalCores, y: yMax }],
      borderColor: withAlpha(s.color, 0.55),
      borderDash: [8, 4],
      borderWidth: 2,
      pointRadius: 0,
      backgroundColor: 'transparent',
    });
  }
  return new Chart<'line', Pt[]>(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      maintainAspectRatio: false,
      elements: { line: { tension: 0 } },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 18, filter: (item) => !/slowest repeat/.test(item.text) } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${(c.raw as Pt).y.toFixed(2)}${mode === 'share' ? ' %' : '×'} at ${(c.raw as Pt).x} tasks` } },
      },
      scales: {
        // A little room past the last point, so a core-count marker there is not lost in the frame.
        x: { type: 'linear', min: 1, max: xMax + 0.3, afterBuildTicks: (axis) => (axis.ticks = axis.ticks.filter((t) => Number.isInteger(t.value))), ticks: { stepSize: 1, precision: 0 }, title: { display: true, text: 'tasks' } },
        y: { type: 'linear', min: 0, max: yMax, title: { display: true, text: mode === 'share' ? '% of the machine’s logical cores busy' : 'speedup over 1 task (×)' } },
      },
    },
  });
}
