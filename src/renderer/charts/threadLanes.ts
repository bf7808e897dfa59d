// Per-thread lanes on one canvas (NOTES.md: never one Chart.js dataset per thread). From the
// top: the per-window verdict strip, the workload's task spans, then one row per thread grouped
// by process, colour = CPU share of one core. Same time axis and gutter as the core charts.
import type { ProcessInfo, ThreadRole, WindowVerdict } from '../../shared/types';
import type { SeriesStore, ThreadSeries } from '../state/seriesStore';
import { BucketCache, bucketize } from './downsample';
import { LEFT_GUTTER, RIGHT_GUTTER, cpuHsl, niceTimeTicks, palette, type TimeWindow } from './layout';
import { PixelGrid, hexToPixel, hslToPixel } from './pixels';
import { TaskSpanCache } from './taskSpans';
import { renderScale } from './renderScale';

const STRIP_H = 22;
const TASK_ROW_H = 7;
const MAX_TASK_ROWS = 16;
const GROUP_H = 18;
const AXIS_H = 36;

export const roleLabels: Record<ThreadRole, string> = {
  main: 'main',
  'libuv-pool': 'libuv pool',
  'v8-helper': 'V8 helper',
  'worker-thread': 'worker_thread',
  'cluster-worker': 'cluster worker',
  'cluster-primary': 'cluster primary',
  'mp-child': 'mp child',
  'python-thread': 'Python thread',
  'child-process': 'child process',
  other: 'other',
};

type Row =
  | { kind: 'strip'; y: number; h: number }
  | { kind: 'tasks'; y: number; h: number }
  | { kind: 'group'; y: number; h: number; pid: number }
  | { kind: 'thread'; y: number; h: number; series: ThreadSeries };

/** cpuColor(share) as pixels, share in 256 steps. */
let cpuTable: Uint32Array | null = null;
function cpuPixel(share: number): number {
  if (!cpuTable) {
    cpuTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) cpuTable[i] = hslToPixel(...cpuHsl(i / 255));
  }
  return cpuTable[Math.round(Math.max(0, Math.min(1, share)) * 255)];
}

export class ThreadLanes {
  private rows: Row[] = [];
  private readonly grid = new PixelGrid();
  private readonly cache = new BucketCache();
  private readonly taskSpans = new TaskSpanCache();
  private win: TimeWindow = { fromMs: 0, toMs: 10_000 };
  private store: SeriesStore | null = null;
  processes: ProcessInfo[] = [];

  constructor(readonly canvas: HTMLCanvasElement) {}

  private threadRowHeight(n: number): number {
    return n > 60 ? 5 : n > 24 ? 9 : 16;
  }

  render(store: SeriesStore, win: TimeWindow): void {
    this.store = store;
    this.win = win;
    const byPid = new Map<number, ThreadSeries[]>();
    for (const series of store.threads.values()) {
      const list = byPid.get(series.info.pid) ?? [];
      list.push(series);
      byPid.set(series.info.pid, list);
    }
    const spans = this.taskSpans.spans(store.events);
    const taskRows = Math.min(MAX_TASK_ROWS, spans.reduce((m, s) => Math.max(m, s.row + 1), 0));
    const threadH = this.threadRowHeight(store.threads.size);

    // Lay out rows first: the canvas height follows the number of threads.
    this.rows = [{ kind: 'strip', y: 0, h: STRIP_H }];
    let y = STRIP_H + 4;
    if (taskRows) {
      this.rows.push({ kind: 'tasks', y, h: taskRows * TASK_ROW_H });
      y += taskRows * TASK_ROW_H + 4;
    }
    const pids = [...byPid.keys()].sort((a, b) => a - b);
    for (const pid of pids) {
      this.rows.push({ kind: 'group', y, h: GROUP_H, pid });
      y += GROUP_H;
      const threads = byPid.get(pid)!.sort((a, b) => (a.info.tid === pid ? -1 : b.info.tid === pid ? 1 : a.info.tid - b.info.tid));
      for (const series of threads) {
        this.rows.push({ kind: 'thread', y, h: threadH, series });
        y += threadH;
      }
    }
    const cssH = Math.max(120, y + AXIS_H);
    const cssW = this.canvas.clientWidth || 800;
    const dpr = renderScale();
    // Only on change: writing a style each frame forces a page relayout.
    if (this.canvas.style.height !== `${cssH}px`) this.canvas.style.height = `${cssH}px`;
    if (this.canvas.width !== Math.round(cssW * dpr) || this.canvas.height !== Math.round(cssH * dpr)) {
      this.canvas.width = Math.round(cssW * dpr);
      this.canvas.height = Math.round(cssH * dpr);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    const plotW = cssW - LEFT_GUTTER - RIGHT_GUTTER;
    const xOf = (ms: number) => LEFT_GUTTER + ((ms - win.fromMs) / Math.max(1, win.toMs - win.fromMs)) * plotW;
    const buckets = bucketize(store, win, plotW / 2);
    const { starts } = buckets;
    const nowMs = store.lastT();

    // Everything inside the plot area (verdict strip, task spans, thread cells) is pixels in one
    // ImageData (see pixels.ts); a fillRect per window and per task span (thousands over a long
    // run) cost more to record and rasterise than the cells. Labels and group bands are drawn
    // over it with the 2D context.
    const last = this.rows[this.rows.length - 1];
    const grid = this.grid;
    // Every line gets written once (bands, cells, copied lines, cleared gaps): no clearing pass.
    grid.reset(plotW * dpr, (last.y + last.h) * dpr, false);
    const devX = (cssX: number) => Math.round((cssX - LEFT_GUTTER) * dpr);
    const devY = (cssY: number) => Math.round(cssY * dpr);
    const nb = starts.length;
    const px0 = new Int32Array(nb);
    const px1 = new Int32Array(nb);
    for (let b = 0; b < nb; b++) {
      const x0 = xOf(store.t[store.slot(starts[b])]);
      const x1 = b + 1 < nb ? xOf(store.t[store.slot(starts[b + 1])]) : x0 + 2;
      px0[b] = devX(x0);
      px1[b] = Math.max(px0[b] + 1, devX(x0 + Math.max(1, x1 - x0 + 0.5)));
    }
    let written = 0;
    for (const row of this.rows) {
      const top = devY(row.y);
      const bottom = Math.max(top + 1, devY(row.y + row.h));
      grid.clearLines(written, top);
      if (row.kind === 'strip') {
        grid.fill(0, top, grid.width, bottom, hexToPixel('#f1f5f9'));
        const line = devY(row.y + 2);
        for (const w of store.windows) {
          if (w.toMs < win.fromMs) continue;
          const x0 = Math.max(LEFT_GUTTER, xOf(w.fromMs));
          const a = devX(x0);
          grid.span(line, a, Math.max(a + 1, devX(x0 + Math.max(1, xOf(w.toMs) - x0 - 1))), hexToPixel(palette.verdict[w.kind] ?? '#94a3b8'));
        }
        grid.copyLine(line, line + 1, devY(row.y + row.h - 2));
      } else if (row.kind === 'tasks') {
        grid.fill(0, top, grid.width, bottom, hexToPixel('#fafaf9'));
        const color = hexToPixel('#a16207');
        for (const s of spans) {
          if (s.row >= MAX_TASK_ROWS) continue;
          const end = s.endMs ?? nowMs;
          if (end < win.fromMs) continue;
          const x0 = Math.max(LEFT_GUTTER, xOf(s.startMs));
          const a = devX(x0);
          grid.span(devY(row.y + s.row * TASK_ROW_H + 1), a, Math.max(a + 1, devX(x0 + Math.max(2, xOf(end) - x0))), color);
        }
        for (let k = 0; k < taskRows; k++) {
          const line = devY(row.y + k * TASK_ROW_H + 1);
          grid.copyLine(line, line + 1, devY(row.y + (k + 1) * TASK_ROW_H - 1));
        }
      } else if (row.kind === 'group') {
        grid.clearLines(top, bottom);
      } else {
        // A pixel line of space above each thread's cells.
        const y0 = devY(row.y + 1);
        grid.clearLines(top, y0);
        if (nb) {
          grid.span(y0, 0, px0[0], 0);
          grid.span(y0, px1[nb - 1], grid.width, 0);
          const means = this.cache.means(row.series.cpu, store, buckets);
          for (let b = 0; b < nb; b++) {
            const v = means[b];
            // Not alive in this bucket: transparent, like the gaps between cells.
            grid.span(y0, px0[b], px1[b], Number.isNaN(v) ? 0 : cpuPixel(v));
            if (b + 1 < nb && px1[b] < px0[b + 1]) grid.span(y0, px1[b], px0[b + 1], 0);
          }
        } else grid.span(y0, 0, grid.width, 0);
        grid.copyLine(y0, y0 + 1, bottom);
      }
      written = Math.max(written, bottom);
    }
    grid.clearLines(written, grid.height);
    grid.put(ctx, LEFT_GUTTER * dpr, 0);

    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const row of this.rows) {
      if (row.kind === 'strip') this.label(ctx, 'verdict per window', row.y + row.h / 2, true);
      else if (row.kind === 'tasks') this.label(ctx, `tasks (${spans.length})`, row.y + Math.min(row.h, 14) / 2, true);
      else if (row.kind === 'group') {
        ctx.fillStyle = '#e2e8f0';
        ctx.fillRect(0, row.y + 2, cssW - RIGHT_GUTTER, row.h - 3);
        const proc = this.processes.find((p) => p.pid === row.pid);
        const main = store.threads.get(row.pid)?.info.name;
        ctx.fillStyle = palette.text;
        ctx.textAlign = 'left';
        ctx.font = 'bold 11px system-ui, sans-serif';
        const desc = proc ? proc.cmdline || proc.name : main ?? '';
        ctx.fillText(`process ${row.pid}  ${desc}`.slice(0, 140), 6, row.y + row.h / 2 + 1);
        ctx.font = '11px system-ui, sans-serif';
      } else {
        const series = row.series;
        // Text no taller than the row, so neighbouring labels do not run into each other.
        if (row.h >= 9) this.label(ctx, `${series.info.name} · ${roleLabels[series.info.role] ?? series.info.role}`, row.y + row.h / 2, false, Math.min(11, row.h));
      }
    }
    // Time axis.
    const axisY = y + 4;
    ctx.fillStyle = palette.text;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillRect(LEFT_GUTTER, axisY, plotW, 1);
    for (const s of niceTimeTicks(win, plotW)) {
      const x = xOf(s * 1000);
      ctx.fillRect(x, axisY, 1, 4);
      ctx.fillText(`${+s.toFixed(1)}`, x, axisY + 6);
    }
    ctx.fillText('seconds since start — lane colour: CPU share of one core (pale idle → dark blue 100%)', LEFT_GUTTER + plotW / 2, axisY + 20);
  }

  private label(ctx: CanvasRenderingContext2D, text: string, y: number, bold: boolean, sizePx = 11): void {
    ctx.fillStyle = palette.text;
    ctx.textAlign = 'right';
    ctx.font = `${bold ? 'bold ' : ''}${sizePx}px system-ui, sans-serif`;
    ctx.fillText(text.length > 28 ? `${text.slice(0, 27)}…` : text, LEFT_GUTTER - 6, y);
    ctx.font = '11px system-ui, sans-serif';
  }

  /** What is under the pointer, as one line of text for the tooltip. */
  describe(cssX: number, cssY: number): string | null {
    const store = this.store;
    if (!store) return null;
    const plotW = (this.canvas.clientWidth || 800) - LEFT_GUTTER - RIGHT_GUTTER;
    const t = this.win.fromMs + ((cssX - LEFT_GUTTER) / plotW) * (this.win.toMs - this.win.fromMs);
    const row = this.rows.find((r) => cssY >= r.y && cssY < r.y + r.h);
    if (!row) return null;
    if (row.kind === 'strip') {
      const w: WindowVerdict | undefined = store.windows.find((x) => t >= x.fromMs && t < x.toMs);
      if (!w) return null;
      return `${(w.fromMs / 1000).toFixed(1)}–${(w.toMs / 1000).toFixed(1)} s: ${w.text}${w.reason ? ` — ${w.reason.text}` : ''}`;
    }
    if (row.kind === 'thread') {
      const info = row.series.info;
      let cpu = NaN;
      for (let i = store.count - 1; i >= store.first; i--) {
        if (store.t[store.slot(i)] <= t) {
          cpu = row.series.cpu[store.slot(i)];
          break;
        }
      }
      return `${info.name} (tid ${info.tid}, pid ${info.pid}, ${roleLabels[info.role]})${Number.isNaN(cpu) ? '' : ` — ${(cpu * 100).toFixed(0)}% of a core at ${(t / 1000).toFixed(2)} s`}`;
    }
    if (row.kind === 'group') return `process ${row.pid}`;
    return 'task spans from the workload’s own events; rows in use at a moment = tasks in flight';
  }
}
