// Per-core utilisation for up to 16 cores: one Chart.js chart with a lane per core (core 0 at
// the top), user filled from the lane's floor and system stacked on it. One canvas and 2
// datasets per core keeps update() cheap and the PNG export a single image.
import { Chart, type ChartDataset, type Scale } from 'chart.js';
import type { SeriesStore } from '../state/seriesStore';
import { bucketize } from './downsample';
import { LEFT_GUTTER, PX_PER_POINT, RIGHT_GUTTER, palette, type TimeWindow } from './layout';
import { setupChartJs } from './setupChartJs';

/** Lanes fill 88% of their band so neighbouring cores stay visually apart. */
const LANE_FILL = 0.88;

type Pt = { x: number; y: number };

export class CoreLanesChart {
  readonly chart: Chart<'line', Pt[]>;
  private cores = 0;

  constructor(readonly canvas: HTMLCanvasElement) {
    setupChartJs();
    this.chart = new Chart<'line', Pt[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        elements: { point: { radius: 0 }, line: { borderWidth: 1, tension: 0 } },
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        layout: { padding: { right: RIGHT_GUTTER } },
        scales: {
          x: { type: 'linear', min: 0, max: 10, ticks: { includeBounds: false, maxRotation: 0 }, title: { display: true, text: 'seconds since start' }, grid: { color: palette.grid } },
          y: {
            type: 'linear',
            min: 0,
            max: 2,
            afterFit: (scale: Scale) => {
              scale.width = LEFT_GUTTER;
            },
            afterBuildTicks: (scale: Scale) => {
              scale.ticks = Array.from({ length: this.cores }, (_, i) => ({ value: i + 0.5 }));
            },
            ticks: { autoSkip: false, callback: (v) => `cpu${this.cores - 1 - Math.floor(Number(v))}` },
            grid: { color: (ctx) => (ctx.tick && Number.isInteger(ctx.tick.value - 0.5) ? 'transparent' : palette.grid) },
          },
        },
      },
    });
  }

  private rebuildDatasets(cores: number): void {
    this.cores = cores;
    const datasets: ChartDataset<'line', Pt[]>[] = [];
    for (let c = 0; c < cores; c++) {
      const floor = cores - 1 - c;
      datasets.push({ label: `cpu${c} user`, data: [], borderColor: palette.user, backgroundColor: palette.userFill, fill: { value: floor } });
      datasets.push({ label: `cpu${c} system`, data: [], borderColor: palette.system, backgroundColor: palette.systemFill, fill: '-1' });
    }
    this.chart.data.datasets = datasets;
    this.chart.options.scales!.y!.max = cores;
  }

  render(store: SeriesStore, win: TimeWindow): void {
    if (store.coreCount !== this.cores) this.rebuildDatasets(store.coreCount);
    const width = Math.max(100, this.canvas.clientWidth - LEFT_GUTTER - RIGHT_GUTTER);
    const { starts, ends } = bucketize(store, win, width / PX_PER_POINT);
    for (let c = 0; c < this.cores; c++) {
      const floor = this.cores - 1 - c;
      const userPts: Pt[] = new Array(starts.length);
      const sysPts: Pt[] = new Array(starts.length);
      const u = store.user[c];
      const s = store.system[c];
      for (let b = 0; b < starts.length; b++) {
        let su = 0;
        let ss = 0;
        for (let i = starts[b]; i < ends[b]; i++) {
          su += u[store.slot(i)];
          ss += s[store.slot(i)];
        }
        const n = ends[b] - starts[b];
        const x = store.t[store.slot(starts[b])] / 1000;
        const uy = Math.min(1, su / n);
        userPts[b] = { x, y: floor + uy * LANE_FILL };
        sysPts[b] = { x, y: floor + Math.min(1, uy + ss / n) * LANE_FILL };
      }
      this.chart.data.datasets[2 * c].data = userPts;
      this.chart.data.datasets[2 * c + 1].data = sysPts;
    }
    const x = this.chart.options.scales!.x!;
    x.min = win.fromMs / 1000;
    x.max = win.toMs / 1000;
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
