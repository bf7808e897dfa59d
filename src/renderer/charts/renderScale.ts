// Device pixels per CSS pixel that charts draw at. The screen's ratio normally; an export for
// slides asks for more (2×, 3×, 4×) and every chart, Chart.js or hand-drawn, redraws its text
// and lines at that resolution instead of having a small bitmap stretched.
import { Chart } from 'chart.js';

let override: number | null = null;

export function renderScale(): number {
  return override ?? (window.devicePixelRatio || 1);
}

/** The scales offered for PNG export, in device pixels per CSS pixel. */
export const PNG_SCALES = [1, 2, 3, 4] as const;
export type PngScale = (typeof PNG_SCALES)[number];

export function isPngScale(x: unknown): x is PngScale {
  return PNG_SCALES.includes(x as PngScale);
}

/**
 * Runs `capture` while `canvas` holds its chart drawn at `scale`, then draws it back at the
 * screen's ratio. A Chart.js chart is resized in place; a hand-drawn one is redrawn by `redraw`.
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
