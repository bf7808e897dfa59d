// Geometry shared by every chart on the run's time axis, so the per-core chart, the busy line
// and the thread lanes line up pixel for pixel (a task span sits right above the core it used).
export const LEFT_GUTTER = 170;
export const RIGHT_GUTTER = 14;
/**
 * Screen pixels per point of a Chart.js line: Chart.js builds and styles an element for every
 * point of every dataset at each update, so its cost follows the point count (16 cores are 32
 * filled datasets); one point per 6 px still shows every change a 10 Hz redraw can show.
 */
export const PX_PER_POINT = 6;

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

/**
 * Whole run so far, at least 10 s wide so the first seconds do not stretch across the page.
 * Past 10 s the right edge moves in whole steps of at least 1/20 of the span (1 s, 2 s, 5 s…,
 * leaving at most one step of room on the right), not with every batch: the axes then change
 * once a second or less, and between changes the charts are only redrawn, not laid out again
 * (chartRefresh.ts).
 */
export function liveWindow(lastMs: number, firstMs: number): TimeWindow {
  const span = lastMs - firstMs;
  if (span <= 10_000) return { fromMs: firstMs, toMs: firstMs + 10_000 };
  const stepMs = 1000 * (WINDOW_STEPS_S.find((s) => s * 20 >= span / 1000) ?? 600);
  return { fromMs: firstMs, toMs: firstMs + Math.ceil(span / stepMs) * stepMs };
}

const WINDOW_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300];

export const palette = {
  user: '#2563eb',
  system: '#dc2626',
  busy: '#0f172a',
  workload: '#16a34a',
  grid: '#e2e8f0',
  text: '#334155',
  verdict: {
    interleaved: '#f59e0b',
    parallel: '#16a34a',
    waiting: '#64748b',
    blocked: '#dc2626',
  } as Record<string, string>,
  runs: ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'],
};

/** CPU share 0..1 → colour from pale to deep blue; the lanes' only legend is this ramp. */
export function cpuHsl(share: number): [h: number, s: number, l: number] {
  const v = Math.max(0, Math.min(1, share));
  return [221, 60 + v * 25, 96 - v * 62];
}

export function cpuColor(share: number): string {
  const [h, s, l] = cpuHsl(share);
  return `hsl(${h}, ${s}%, ${l}%)`;
}

export function niceTimeTicks(win: TimeWindow, widthPx: number): number[] {
  const spanS = (win.toMs - win.fromMs) / 1000;
  const target = Math.max(2, Math.floor(widthPx / 90));
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
  const step = steps.find((s) => spanS / s <= target) ?? 1200;
  const ticks: number[] = [];
  for (let s = Math.ceil(win.fromMs / 1000 / step) * step; s <= win.toMs / 1000 + 1e-9; s += step) ticks.push(s);
  return ticks;
}
