// Device pixels per CSS pixel that charts draw at. The screen's ratio normally; an export for
// slides asks for more (2×, 3×, 4×) and every chart, Chart.js or hand-drawn, redraws its text
// and lines at that resolution instead of having a small bitmap stretched.
import { Chart } from 'chart.js';

let override: number | null = null;

export function renderScale(): number {
  return override ?? (window.devicePixelRatio || 1);
}

export { PNG_SCALES, isPngScale, type PngScale } from './pngScale';

/**
 * Runs `capture` while `canvas` holds its chart drawn at `scale`, then draws it back at the
 * screen's ratio. `redraw` brings a live chart up to date (a chart scrolled out of view is not
 * redrawn as batches arrive); a Chart.js chart is then resized in place, a hand-drawn one is
 * drawn by `redraw` at the scale.
 */
export async function atScale<T>(canvas: HTMLCanvasElement, scale: number, redraw: (() => void) | undefined, capture: () => Promise<T>): Promise<T> {
  const chart = Chart.getChart(canvas);
  const restore = (): void => {
    override = null;
    if (chart) {
      chart.options.devicePixelRatio = undefined;
      chart.resize();
    } else redraw?.();
  };
  // A Chart.js chart's data brought up to date at the screen's scale (redraw draws every chart
  // of its view, and only this one is restored afterwards).
  if (chart) redraw?.();
  override = scale;
  try {
    if (chart) {
      chart.options.devicePixelRatio = scale;
      chart.resize();
    } else redraw?.();
    // Only the drawing needs the override; the capture may await (PNG encoding).
    override = null;
    return await capture();
  } finally {
    restore();
  }
}
