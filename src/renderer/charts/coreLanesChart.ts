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
import { PixelGrid, hexToPixel } from './pixels';
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
  private readonly grid = new PixelGrid();
  private layer: OffscreenCanvas | null = null;

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
    if (store.coreCount !== this.cores) {
      this.cores = store.coreCount;
      this.chart.options.scales!.y!.max = this.cores;
    }
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
    const x = this.chart.options.scales!.x!;
    x.min = win.fromMs / 1000;
    x.max = win.toMs / 1000;
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }

  /**
   * Paints the lanes into pixels over the chart area (device pixels), then draws them onto the
   * chart in one drawImage, so they blend over the grid like the filled lines they replace.
   */
  private drawLanes(chart: Chart<'line'>): void {
    const lanes = this.lanes;
    const area = chart.chartArea;
    const dpr = chart.currentDevicePixelRatio || 1;
    const w = Math.round((area.right - area.left) * dpr);
    const h = Math.round((area.bottom - area.top) * dpr);
    if (!lanes.cores || !lanes.buckets || w < 1 || h < 1) return;
    const xs = chart.scales.x;
    const bx = new Float64Array(lanes.buckets);
    for (let b = 0; b < lanes.buckets; b++) bx[b] = (xs.getPixelForValue(lanes.x[b]) - area.left) * dpr;
    this.grid.reset(w, h);
    paintLanes(this.grid, lanes, bx);
    if (!this.layer || this.layer.width !== w || this.layer.height !== h) this.layer = new OffscreenCanvas(w, h);
    const layerCtx = this.layer.getContext('2d')!;
    this.grid.put(layerCtx, 0, 0);
    chart.ctx.drawImage(this.layer, area.left, area.top, w / dpr, h / dpr);
  }
}

const USER_FILL = withAlpha(palette.user, 0.55);
const SYSTEM_FILL = withAlpha(palette.system, 0.55);

/** '#rrggbb' at `alpha` as an ImageData pixel (unpremultiplied, like ImageData itself). */
function withAlpha(hex: string, alpha: number): number {
  return ((hexToPixel(hex) & 0x00ffffff) | (Math.round(alpha * 255) << 24)) >>> 0;
}

/**
 * Each core's lane, column by column: user from the lane's floor up to the user line, system
 * from there to the user + system line, values interpolated between bucket points (as the lines
 * joining them would), and each line's pixels joined vertically to the previous column's so a
 * steep change stays one unbroken line.
 */
function paintLanes(grid: PixelGrid, lanes: LaneData, bx: Float64Array): void {
  const { cores, buckets: nb } = lanes;
  const W = grid.width;
  const H = grid.height;
  const px = grid.px;
  const userLine = hexToPixel(palette.user);
  const systemLine = hexToPixel(palette.system);
  const rowOf = (v: number) => Math.min(H - 1, Math.max(0, Math.floor(H * (1 - v / cores))));
  const xFirst = Math.max(0, Math.round(bx[0]));
  const xLast = Math.min(W - 1, Math.round(bx[nb - 1]));
  for (let c = 0; c < cores; c++) {
    const floor = cores - 1 - c;
    const base = rowOf(floor);
    const o = c * nb;
    let b = 0;
    let prevU = -1;
    let prevS = -1;
    for (let x = xFirst; x <= xLast; x++) {
      while (b + 1 < nb - 1 && bx[b + 1] <= x) b++;
      const span = bx[b + 1] - bx[b];
      const f = nb > 1 && span > 0 ? Math.min(1, Math.max(0, (x - bx[b]) / span)) : 0;
      const b1 = nb > 1 ? b + 1 : b;
      const u = lanes.user[o + b] + (lanes.user[o + b1] - lanes.user[o + b]) * f;
      const us = lanes.userSystem[o + b] + (lanes.userSystem[o + b1] - lanes.userSystem[o + b]) * f;
      const rowU = rowOf(floor + u * LANE_FILL);
      const rowS = rowOf(floor + us * LANE_FILL);
      for (let y = rowU + 1; y < base; y++) px[y * W + x] = USER_FILL;
      for (let y = rowS + 1; y < rowU; y++) px[y * W + x] = SYSTEM_FILL;
      const fromU = prevU < 0 ? rowU : Math.min(prevU, rowU);
      const toU = prevU < 0 ? rowU : Math.max(prevU, rowU);
      for (let y = fromU; y <= toU; y++) px[y * W + x] = userLine;
      const fromS = prevS < 0 ? rowS : Math.min(prevS, rowS);
      const toS = prevS < 0 ? rowS : Math.max(prevS, rowS);
      for (let y = fromS; y <= toS; y++) px[y * W + x] = systemLine;
      prevU = rowU;
      prevS = rowS;
    }
  }
}
