// Per-core utilisation for many cores (17..128+): a core × time heatmap on a plain canvas, one
// pixel row band per core. Colour = busy share, hue leaning red as the system share grows, so
// the user/system split stays visible where 128 line lanes could not be read.
import type { SeriesStore } from '../state/seriesStore';
import { BucketCache, bucketize } from './downsample';
import { LEFT_GUTTER, RIGHT_GUTTER, niceTimeTicks, palette, type TimeWindow } from './layout';
import { PixelGrid, hslToPixel } from './pixels';
import { renderScale } from './renderScale';

const AXIS_H = 34;

/** Colour = hsl(221 + sysShare·139, 75 %, 97 − busy·60 %), from a table (busy in 128 steps, system share in 64). */
const BUSY_STEPS = 128;
const SYS_STEPS = 64;
let heatTable: Uint32Array | null = null;
function heatColor(busy: number, sysShare: number): number {
  if (!heatTable) {
    heatTable = new Uint32Array((BUSY_STEPS + 1) * (SYS_STEPS + 1));
    for (let b = 0; b <= BUSY_STEPS; b++) {
      for (let s = 0; s <= SYS_STEPS; s++) heatTable[b * (SYS_STEPS + 1) + s] = hslToPixel(221 + (s / SYS_STEPS) * 139, 75, 97 - (b / BUSY_STEPS) * 60);
    }
  }
  const b = Math.round(Math.max(0, Math.min(1, busy || 0)) * BUSY_STEPS);
  const s = Math.round(Math.max(0, Math.min(1, sysShare || 0)) * SYS_STEPS);
  return heatTable[b * (SYS_STEPS + 1) + s];
}

export class CoreHeatmap {
  private readonly grid = new PixelGrid();
  private readonly cache = new BucketCache();

  constructor(readonly canvas: HTMLCanvasElement) {}

  render(store: SeriesStore, win: TimeWindow): void {
    const dpr = renderScale();
    const cssW = this.canvas.clientWidth || 800;
    const cssH = this.canvas.clientHeight || 300;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    const plotW = cssW - LEFT_GUTTER - RIGHT_GUTTER;
    const plotH = cssH - AXIS_H;
    const cores = store.coreCount;
    if (!cores) return;
    const rowH = plotH / cores;
    const xOf = (ms: number) => LEFT_GUTTER + ((ms - win.fromMs) / (win.toMs - win.fromMs)) * plotW;
    // Cells at least 2 px wide, as in the thread lanes: a 1 px column per bucket doubled the work for no visible gain.
    const buckets = bucketize(store, win, plotW / 2);
    const { starts, ends } = buckets;
    const cache = this.cache;
    const userMeans = new Float64Array(starts.length);
    // Cells go to an ImageData in device pixels (see pixels.ts), the plot area only.
    const grid = this.grid;
    // Every line is written below (bands cover the height; columns without data are cleared), so no clearing pass.
    grid.reset(plotW * dpr, plotH * dpr, false);
    const rowY = new Int32Array(cores + 1);
    for (let c = 0; c <= cores; c++) rowY[c] = Math.round(c * rowH * dpr);
    const devX = (cssX: number) => Math.round((cssX - LEFT_GUTTER) * dpr);
    const nb = starts.length;
    const px0 = new Int32Array(nb);
    const px1 = new Int32Array(nb);
    for (let b = 0; b < nb; b++) {
      const x0 = xOf(store.t[store.slot(starts[b])]);
      const x1 = b + 1 < nb ? xOf(store.t[store.slot(starts[b + 1])]) : xOf(store.t[store.slot(ends[b] - 1)]) + 1;
      px0[b] = devX(x0);
      px1[b] = Math.max(px0[b] + 1, devX(x0 + Math.max(1, x1 - x0)));
    }
    for (let c = 0; c < cores; c++) {
      const user = store.user[c];
      const system = store.system[c];
      const y = rowY[c];
      grid.span(y, 0, nb ? px0[0] : grid.width, 0);
      if (nb) grid.span(y, px1[nb - 1], grid.width, 0);
      // Two series read one after the other: copy the first out of the cache's shared buffer.
      userMeans.set(cache.means(user, store, buckets).subarray(0, nb));
      const systemMeans = cache.means(system, store, buckets);
      for (let b = 0; b < nb; b++) {
        const u = userMeans[b];
        const s = systemMeans[b];
        const busy = Math.min(1, u + s);
        const sysShare = u + s > 0 ? s / (u + s) : 0;
        grid.span(y, px0[b], px1[b], heatColor(busy, sysShare));
        if (b + 1 < nb && px1[b] < px0[b + 1]) grid.span(y, px1[b], px0[b + 1], 0);
      }
      // A core's band is a few pixel lines tall: draw its first line, copy it down.
      grid.copyLine(y, y + 1, Math.max(y + 1, rowY[c + 1]));
    }
    grid.put(ctx, LEFT_GUTTER * dpr, 0);
    ctx.fillStyle = palette.text;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const every = Math.ceil(12 / Math.max(1, rowH));
    for (let c = 0; c < cores; c += every) ctx.fillText(`cpu${c}`, LEFT_GUTTER - 6, c * rowH + rowH / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const s of niceTimeTicks(win, plotW)) {
      const x = xOf(s * 1000);
      ctx.fillRect(x, plotH, 1, 4);
      ctx.fillText(`${+s.toFixed(1)}`, x, plotH + 6);
    }
    ctx.fillText('seconds since start — colour: busy share (blue user, red system)', LEFT_GUTTER + plotW / 2, plotH + 20);
  }

  destroy(): void {
    this.canvas.getContext('2d')?.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }
}
