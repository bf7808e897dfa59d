// The "cores busy" total: how many cores' worth the whole machine and the workload used,
// on a fixed 0..N scale so 1 of 2 and 2 of 2 look like what they are. Chart.js draws the axes,
// grid and legend (its two datasets hold no points, only their legend entries); the series are
// painted as pixel columns (columnPlot.ts) by this chart's plugin.
import { Chart, type Plugin, type Scale } from 'chart.js';
import type { SeriesStore } from '../state/seriesStore';
import { refreshChart } from './chartRefresh';
import { ChartAreaPixels, columnRows, fillBetween, strokeRows, withAlpha } from './columnPlot';
import { bucketize, bucketMean } from './downsample';
import { LEFT_GUTTER, PX_PER_POINT, RIGHT_GUTTER, palette, type TimeWindow } from './layout';
import { hexToPixel } from './pixels';
import { setupChartJs } from './setupChartJs';

const WORKLOAD_FILL_ALPHA = 0.15;
const WORKLOAD_FILL = withAlpha(hexToPixel(palette.workload), WORKLOAD_FILL_ALPHA);

export class BusyLineChart {
  readonly chart: Chart<'line'>;
  private readonly pixels = new ChartAreaPixels();
  /** Seconds since start, machine total and workload (cores' worth) of each point. */
  private points = { n: 0, x: new Float64Array(0), busy: new Float64Array(0), work: new Float64Array(0) };

  constructor(readonly canvas: HTMLCanvasElement) {
    setupChartJs();
    const seriesPlugin: Plugin<'line'> = { id: 'busySeries', beforeDatasetsDraw: (chart) => this.paint(chart) };
    this.chart = new Chart<'line'>(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'cores busy (whole machine)', data: [], borderColor: palette.busy, borderWidth: 1.5, backgroundColor: 'transparent' },
          { label: 'workload (cores’ worth of CPU)', data: [], borderColor: palette.workload, borderWidth: 2, backgroundColor: cssWithAlpha(palette.workload, WORKLOAD_FILL_ALPHA) },
        ],
      },
      plugins: [seriesPlugin],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
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
    const n = starts.length;
    let p = this.points;
    if (p.x.length < n) p = { n, x: new Float64Array(2 * n), busy: new Float64Array(2 * n), work: new Float64Array(2 * n) };
    p.n = n;
    for (let b = 0; b < n; b++) {
      p.x[b] = store.t[store.slot(starts[b])] / 1000;
      // Σ over cores of each core's bucket mean = the bucket mean of the per-sample sum.
      p.busy[b] = bucketMean(store.machineBusy, store, starts[b], ends[b]) || 0;
      p.work[b] = bucketMean(store.workload, store, starts[b], ends[b]) || 0;
    }
    this.points = p;
    refreshChart(this.chart, { xMin: win.fromMs / 1000, xMax: win.toMs / 1000, yMax: Math.max(1, store.coreCount) });
  }

  /** The workload's area and line, then the machine's line over it, on the chart area. */
  private paint(chart: Chart<'line'>): void {
    const { n, x, busy, work } = this.points;
    const grid = n ? this.pixels.begin(chart) : null;
    if (!grid) return;
    const bx = this.pixels.xPixels(chart, x, n);
    const ys = chart.scales.y;
    const dpr = chart.currentDevicePixelRatio || 1;
    const rowsOf = (values: Float64Array): Int32Array => {
      const rows = new Float64Array(n);
      for (let b = 0; b < n; b++) rows[b] = (ys.getPixelForValue(values[b]) - chart.chartArea.top) * dpr;
      return columnRows(grid, bx, rows, n, new Int32Array(grid.width));
    };
    const workRows = rowsOf(work);
    fillBetween(grid, workRows, grid.height, WORKLOAD_FILL);
    strokeRows(grid, workRows, hexToPixel(palette.workload), Math.max(1, Math.round(2 * dpr)));
    strokeRows(grid, rowsOf(busy), hexToPixel(palette.busy), Math.max(1, Math.round(1.5 * dpr)));
    this.pixels.end(chart);
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** '#rrggbb' → 'rgba(r, g, b, alpha)', for the legend's swatch of a painted area. */
function cssWithAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1, 7), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 0xff}, ${n & 0xff}, ${alpha})`;
}
