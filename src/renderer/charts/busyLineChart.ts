// The "cores busy" total: how many cores' worth the whole machine and the workload used,
// on a fixed 0..N scale so 1 of 2 and 2 of 2 look like what they are.
import { Chart, type Scale } from 'chart.js';
import type { SeriesStore } from '../state/seriesStore';
import { bucketize, bucketMean } from './downsample';
import { LEFT_GUTTER, PX_PER_POINT, RIGHT_GUTTER, palette, type TimeWindow } from './layout';
import { setupChartJs } from './setupChartJs';

type Pt = { x: number; y: number };

export class BusyLineChart {
  readonly chart: Chart<'line', Pt[]>;

  constructor(readonly canvas: HTMLCanvasElement) {
    setupChartJs();
    this.chart = new Chart<'line', Pt[]>(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'cores busy (whole machine)', data: [], borderColor: palette.busy, borderWidth: 1.5, backgroundColor: 'transparent' },
          { label: 'workload (cores’ worth of CPU)', data: [], borderColor: palette.workload, borderWidth: 2, backgroundColor: 'rgba(22,163,74,0.15)', fill: 'origin' },
        ],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        elements: { point: { radius: 0 }, line: { tension: 0 } },
        plugins: { legend: { position: 'top', align: 'end', labels: { boxWidth: 12 } }, tooltip: { enabled: false } },
        events: [],
        layout: { padding: { right: RIGHT_GUTTER } },
        scales: {
          x: { type: 'linear', min: 0, max: 10, ticks: { includeBounds: false, maxRotation: 0 }, grid: { color: palette.grid } },
          y: {
            type: 'linear',
            min: 0,
            max: 2,
            title: { display: true, text: 'cores' },
            afterFit: (scale: Scale) => {
              scale.width = LEFT_GUTTER;
            },
            grid: { color: palette.grid },
          },
        },
      },
    });
  }

  render(store: SeriesStore, win: TimeWindow): void {
    const width = Math.max(100, this.canvas.clientWidth - LEFT_GUTTER - RIGHT_GUTTER);
    const { starts, ends } = bucketize(store, win, width / PX_PER_POINT);
    const busy: Pt[] = new Array(starts.length);
    const work: Pt[] = new Array(starts.length);
    for (let b = 0; b < starts.length; b++) {
      // Σ over cores of each core's bucket mean = the bucket mean of the per-sample sum.
      const total = bucketMean(store.machineBusy, store, starts[b], ends[b]) || 0;
      const x = store.t[store.slot(starts[b])] / 1000;
      busy[b] = { x, y: total };
      work[b] = { x, y: bucketMean(store.workload, store, starts[b], ends[b]) || 0 };
    }
    this.chart.data.datasets[0].data = busy;
    this.chart.data.datasets[1].data = work;
    const s = this.chart.options.scales!;
    s.x!.min = win.fromMs / 1000;
    s.x!.max = win.toMs / 1000;
    s.y!.max = Math.max(1, store.coreCount);
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
