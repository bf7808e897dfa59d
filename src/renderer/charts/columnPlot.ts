// Line and area charts painted as pixel columns (see pixels.ts): one value per device-pixel
// column, interpolated between the chart's points as a straight line between them would be.
// Chart.js stays in charge of the axes, grid and legend; the series are painted here because
// anti-aliased path fills over a wide canvas are what software rendering pays most for, and
// Chart.js builds an element per point on every update.
import type { Chart } from 'chart.js';
import { PixelGrid } from './pixels';

/**
 * The pixel row of every column between the first and last point (-1 outside them), from point
 * x positions `bx` (device pixels) and the row of each point's value.
 */
export function columnRows(grid: PixelGrid, bx: Float64Array, pointRows: Float64Array, n: number, out: Int32Array): Int32Array {
  out.fill(-1, 0, grid.width);
  if (n === 0) return out;
  const first = Math.max(0, Math.round(bx[0]));
  const last = Math.min(grid.width - 1, Math.round(bx[n - 1]));
  let b = 0;
  for (let x = first; x <= last; x++) {
    while (b + 1 < n - 1 && bx[b + 1] <= x) b++;
    const b1 = n > 1 ? b + 1 : b;
    const span = bx[b1] - bx[b];
    const f = span > 0 ? Math.min(1, Math.max(0, (x - bx[b]) / span)) : 0;
    const row = pointRows[b] + (pointRows[b1] - pointRows[b]) * f;
    out[x] = Math.min(grid.height - 1, Math.max(0, Math.floor(row)));
  }
  return out;
}

/** Fills each column strictly between its `top` row and its `bottom` row (a row array or one row for all). */
export function fillBetween(grid: PixelGrid, top: Int32Array, bottom: Int32Array | number, color: number): void {
  const { px, width } = grid;
  for (let x = 0; x < width; x++) {
    const t = top[x];
    if (t < 0) continue;
    const b = typeof bottom === 'number' ? bottom : bottom[x];
    for (let y = t + 1; y < b; y++) px[y * width + x] = color;
  }
}

/**
 * A line through each column's row, `thickness` rows thick, joined vertically to the previous
 * column's row so a steep change stays one unbroken line.
 */
export function strokeRows(grid: PixelGrid, rows: Int32Array, color: number, thickness = 1): void {
  const { px, width, height } = grid;
  let prev = -1;
  for (let x = 0; x < width; x++) {
    const r = rows[x];
    if (r < 0) {
      prev = -1;
      continue;
    }
    const from = prev < 0 ? r : Math.min(prev, r);
    const to = Math.min(height - 1, (prev < 0 ? r : Math.max(prev, r)) + thickness - 1);
    for (let y = from; y <= to; y++) px[y * width + x] = color;
    prev = r;
  }
}

/** '#rrggbb' pixel → the same colour at `alpha` (ImageData pixels are unpremultiplied). */
export function withAlpha(pixel: number, alpha: number): number {
  return ((pixel & 0x00ffffff) | (Math.round(alpha * 255) << 24)) >>> 0;
}

/**
 * Pixels over a Chart.js chart's plot area, in device pixels: `begin` sizes and clears them for
 * the chart's current layout, `end` draws them onto the chart in one drawImage (so they blend
 * over the grid as the chart's own filled lines would).
 */
export class ChartAreaPixels {
  readonly grid = new PixelGrid();
  private layer: OffscreenCanvas | null = null;

  begin(chart: Chart): PixelGrid | null {
    const area = chart.chartArea;
    const dpr = chart.currentDevicePixelRatio || 1;
    const w = Math.round((area.right - area.left) * dpr);
    const h = Math.round((area.bottom - area.top) * dpr);
    if (w < 1 || h < 1) return null;
    this.grid.reset(w, h);
    return this.grid;
  }

  /** Device-pixel x of each value on the chart's x axis, from the plot area's left edge. */
  xPixels(chart: Chart, values: Float64Array, n: number): Float64Array {
    const out = new Float64Array(n);
    const dpr = chart.currentDevicePixelRatio || 1;
    for (let i = 0; i < n; i++) out[i] = (chart.scales.x.getPixelForValue(values[i]) - chart.chartArea.left) * dpr;
    return out;
  }

  end(chart: Chart): void {
    const { width: w, height: h } = this.grid;
    if (!this.layer || this.layer.width !== w || this.layer.height !== h) this.layer = new OffscreenCanvas(w, h);
    this.grid.put(this.layer.getContext('2d')!, 0, 0);
    const area = chart.chartArea;
    const dpr = chart.currentDevicePixelRatio || 1;
    chart.ctx.drawImage(this.layer, area.left, area.top, w / dpr, h / dpr);
  }
}
