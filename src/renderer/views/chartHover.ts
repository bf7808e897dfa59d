// Values under the pointer for the per-core and cores-busy charts (Chart.js draws only their
// axes; the series are painted pixels, so Chart.js's own tooltip has nothing to show). The text
// is read from the same store the charts paint from, at the sample nearest the pointer's time.
import type { Chart } from 'chart.js';
import type { SeriesStore } from '../state/seriesStore';
import { h } from '../util/dom';

/** Ring slot of the last sample at or before `tMs`, or -1. */
export function slotAt(store: SeriesStore, tMs: number): number {
  let lo = store.first;
  let hi = store.count - 1;
  if (hi < lo || store.t[store.slot(lo)] > tMs) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (store.t[store.slot(mid)] <= tMs) lo = mid;
    else hi = mid - 1;
  }
  return store.slot(lo);
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function inArea(chart: Chart, x: number, y: number): boolean {
  const a = chart.chartArea;
  return !!a && x >= a.left && x <= a.right && y >= a.top && y <= a.bottom;
}

/** "cpu1 at 2.35 s: 62% busy (user 58%, system 4%, iowait 0%)". */
export function describeCore(store: SeriesStore, chart: Chart, x: number, y: number): string | null {
  if (!inArea(chart, x, y) || !store.coreCount) return null;
  const t = Number(chart.scales.x.getValueForPixel(x)) * 1000;
  const v = Number(chart.scales.y.getValueForPixel(y));
  const core = store.coreCount - 1 - Math.floor(Math.max(0, Math.min(store.coreCount - 0.001, v)));
  const s = slotAt(store, t);
  if (s < 0) return null;
  const u = store.user[core][s];
  const sy = store.system[core][s];
  return `cpu${core} at ${(store.t[s] / 1000).toFixed(2)} s: ${pct(u + sy)} busy (user ${pct(u)}, system ${pct(sy)}, iowait ${pct(store.iowait[core][s])})`;
}

/** "at 2.35 s: whole machine 1.92 cores busy, the workload 1.85 cores' worth". */
export function describeBusy(store: SeriesStore, chart: Chart, x: number, y: number): string | null {
  if (!inArea(chart, x, y)) return null;
  const s = slotAt(store, Number(chart.scales.x.getValueForPixel(x)) * 1000);
  if (s < 0) return null;
  return `at ${(store.t[s] / 1000).toFixed(2)} s: whole machine ${store.machineBusy[s].toFixed(2)} of ${store.coreCount} cores busy; the workload ${store.workload[s].toFixed(2)} cores’ worth`;
}

/** A tooltip that follows the pointer over a chart, and its refresh for when the chart is redrawn under it. */
export interface HoverTooltip {
  readonly element: HTMLElement;
  /** Says again what is under a pointer that has not moved: a live chart changes under it, and a chart first drawn after the pointer arrived (scrolled into view) had nothing to say then. */
  refresh(): void;
}

/** A tooltip inside `box` (positioned) that follows the pointer and shows what `describe` says. */
export function hoverTooltip(box: HTMLElement, testId: string | undefined, describe: (x: number, y: number) => string | null): HoverTooltip {
  const tip = h('div', { class: 'lanes-tooltip', hidden: true, ...(testId ? { 'data-testid': testId } : {}) });
  let pointer: { canvas: HTMLCanvasElement; x: number; y: number } | null = null;
  const show = (): void => {
    const text = pointer ? describe(pointer.x, pointer.y) : null;
    tip.hidden = !text;
    if (!text || !pointer) return;
    tip.textContent = text;
    tip.style.left = `${Math.max(0, Math.min(pointer.x + 12, pointer.canvas.clientWidth - 330))}px`;
    // Below the pointer, or above it where below would run past the chart's bottom (over what follows it).
    const below = pointer.y + 14;
    const height = tip.offsetHeight;
    tip.style.top = `${below + height > pointer.canvas.clientHeight && pointer.y - height - 8 >= 0 ? pointer.y - height - 8 : below}px`;
  };
  box.addEventListener('mousemove', (e) => {
    pointer = e.target instanceof HTMLCanvasElement ? { canvas: e.target, x: e.offsetX, y: e.offsetY } : null;
    show();
  });
  box.addEventListener('mouseleave', () => {
    pointer = null;
    tip.hidden = true;
  });
  return { element: tip, refresh: () => pointer && show() };
}
