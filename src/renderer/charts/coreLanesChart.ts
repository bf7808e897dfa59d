// Per-core utilisation for up to 16 cores: one Chart.js chart with a lane per core (core 0 at
// the top), user filled from the lane's floor and system stacked on it. Chart.js lays out and
// draws the axes, ticks and grid; the lanes themselves are painted by this chart's own plugin as
// pixel columns (see pixels.ts). 32 filled line datasets made Chart.js build, resolve options
// for and fill-between thousands of point elements on every live frame, and 32 anti-aliased
// path fills took the canvas ~8 ms to rasterise in software; columns cost well under 1 ms.
import { Chart, type Plugin, type Scale } from 'chart.js';
import type { SeriesStore } from '../state/seriesStore';
import { BucketCache, bucketize } from './downsample';
import { LEFT_GUTTER, PX_PER_POINT, RIGHT_GUTTER, palette, type TimeWindow } from './layout';
import { ChartAreaPixels, columnRows, fillBetween, strokeRows, withAlpha } from './columnPlot';
import { refreshChart } from './chartRefresh';
import { type PixelGrid, hexToPixel } from './pixels';
import { setupChartJs } from './setupChartJs';

/** Lanes fill 88% of their band so neighbouring cores stay visually apart. */
const LANE_FILL = 0.88;

/** The lanes as last computed: bucket times and per-core means, drawn by the plugin. */
interface LaneData {
  cores: number;
  buckets: number;
  /** Seconds since start of each bucket's first sample. */
  x: Float64Array;
  /** Core c's bucket b at [c * buckets + b]: user share, and user + system share, both 0..1. */
  user: Float64Array;
  userSystem: Float64Array;
}

export class CoreLanesChart {
  readonly chart: Chart<'line'>;
  private cores = 0;
  private readonly cache = new BucketCache();
  private lanes: LaneData = { cores: 0, buckets: 0, x: new Float64Array(0), user: new Float64Array(0), userSystem: new Float64Array(0) };
  private readonly pixels = new ChartAreaPixels();

  constructor(readonly canvas: HTMLCanvasElement) {
    setupChartJs();
    const lanesPlugin: Plugin<'line'> = {
      id: 'coreLanes',
      beforeDatasetsDraw: (chart) => this.drawLanes(chart),
    };
    this.chart = new Chart<'line'>(canvas, {
      type: 'line',
      data: { datasets: [] },
      plugins: [lanesPlugin],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
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

  render(store: SeriesStore, win: TimeWindow): void {
    this.cores = store.coreCount;
    const width = Math.max(100, this.canvas.clientWidth - LEFT_GUTTER - RIGHT_GUTTER);
    const buckets = bucketize(store, win, width / PX_PER_POINT);
    const nb = buckets.starts.length;
    const cores = this.cores;
    let lanes = this.lanes;
    if (lanes.user.length < cores * nb || lanes.x.length < nb) {
      const room = Math.max(nb, 2 * lanes.x.length);
      lanes = { cores, buckets: nb, x: new Float64Array(room), user: new Float64Array(room * cores), userSystem: new Float64Array(room * cores) };
    }
    lanes.cores = cores;
    lanes.buckets = nb;
    for (let b = 0; b < nb; b++) lanes.x[b] = store.t[store.slot(buckets.starts[b])] / 1000;
    for (let c = 0; c < cores; c++) {
      const user = this.cache.means(store.user[c], store, buckets);
      for (let b = 0; b < nb; b++) lanes.user[c * nb + b] = Math.min(1, user[b] || 0);
      const system = this.cache.means(store.system[c], store, buckets);
      for (let b = 0; b < nb; b++) lanes.userSystem[c * nb + b] = Math.min(1, lanes.user[c * nb + b] + (system[b] || 0));
    }
    this.lanes = lanes;
    refreshChart(this.chart, { xMin: win.fromMs / 1000, xMax: win.toMs / 1000, yMax: this.cores });
  }

  destroy(): void {
    this.chart.destroy();
  }

  /** The lanes as pixels over the plot area (see paintLanes). */
  private drawLanes(chart: Chart<'line'>): void {
    const lanes = this.lanes;
    const grid = lanes.cores && lanes.buckets ? this.pixels.begin(chart) : null;
    if (!grid) return;
    paintLanes(grid, lanes, this.pixels.xPixels(chart, lanes.x, lanes.buckets));
    this.pixels.end(chart);
  }
}

const USER_FILL = withAlpha(hexToPixel(palette.user), 0.55);
const SYSTEM_FILL = withAlpha(hexToPixel(palette.system), 0.55);

/**
 * Each core's lane, column by column (columnPlot.ts): user from the lane's floor up to the user
 * line, system from there to the user + system line, each line drawn over its area.
 */
function paintLanes(grid: PixelGrid, lanes: LaneData, bx: Float64Array): void {
  const { cores, buckets: nb } = lanes;
  const H = grid.height;
  const rowOf = (v: number) => H * (1 - v / cores);
  const pointRows = new Float64Array(nb);
  const userRows = new Int32Array(grid.width);
  const systemRows = new Int32Array(grid.width);
  for (let c = 0; c < cores; c++) {
    const floor = cores - 1 - c;
    const o = c * nb;
    for (let b = 0; b < nb; b++) pointRows[b] = rowOf(floor + lanes.user[o + b] * LANE_FILL);
    columnRows(grid, bx, pointRows, nb, userRows);
    for (let b = 0; b < nb; b++) pointRows[b] = rowOf(floor + lanes.userSystem[o + b] * LANE_FILL);
    columnRows(grid, bx, pointRows, nb, systemRows);
    fillBetween(grid, userRows, Math.min(H, Math.floor(rowOf(floor))), USER_FILL);
    fillBetween(grid, systemRows, userRows, SYSTEM_FILL);
    strokeRows(grid, userRows, hexToPixel(palette.user));
    strokeRows(grid, systemRows, hexToPixel(palette.system));
  }
}
