// Per-core utilisation for many cores (17..128+): a core × time heatmap on a plain canvas, one
// pixel row band per core. Colour = busy share, hue leaning red as the system share grows, so
// the user/system split stays visible where 128 line lanes could not be read.
import type { SeriesStore } from '../state/seriesStore';
import { bucketize } from './downsample';
import { LEFT_GUTTER, RIGHT_GUTTER, niceTimeTicks, palette, type TimeWindow } from './layout';

const AXIS_H = 34;

export class CoreHeatmap {
  constructor(readonly canvas: HTMLCanvasElement) {}

  render(store: SeriesStore, win: TimeWindow): void {
    const dpr = window.devicePixelRatio || 1;
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
    const { starts, ends } = bucketize(store, win, plotW);
    for (let b = 0; b < starts.length; b++) {
      const x0 = xOf(store.t[store.slot(starts[b])]);
      const x1 = b + 1 < starts.length ? xOf(store.t[store.slot(starts[b + 1])]) : xOf(store.t[store.slot(ends[b] - 1)]) + 1;
      for (let c = 0; c < cores; c++) {
        let u = 0;
        let s = 0;
        for (let i = starts[b]; i < ends[b]; i++) {
          u += store.user[c][store.slot(i)];
          s += store.system[c][store.slot(i)];
        }
        const n = ends[b] - starts[b];
        const busy = Math.min(1, (u + s) / n);
        const sysShare = u + s > 0 ? s / (u + s) : 0;
        ctx.fillStyle = `hsl(${221 + sysShare * 139}, 75%, ${97 - busy * 60}%)`;
        ctx.fillRect(x0, c * rowH, Math.max(1, x1 - x0), Math.max(1, rowH));
      }
    }
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
