// Per-thread lanes on one canvas (NOTES.md: never one Chart.js dataset per thread). From the
// top: the run's phases, the per-window verdict strip, the workload's task spans, then one row
// per thread grouped by process, colour = CPU share of one core. Same time axis and gutter as
// the core charts. Quiet processes are folded into one line (laneProcesses.ts).
import type { ProcessInfo, ThreadRole, WindowVerdict } from '../../shared/types';
import { kindColor, phaseName } from '../views/kindNames';
import { QUIET_SHARE, displayCommand, pickLaneProcesses } from './laneProcesses';
import type { SeriesStore, ThreadSeries } from '../state/seriesStore';
import { BucketCache, bucketize } from './downsample';
import { LEFT_GUTTER, RIGHT_GUTTER, cpuHsl, niceTimeTicks, palette, type TimeWindow } from './layout';
import { PixelGrid, hexToPixel, hslToPixel } from './pixels';
import { TaskSpanCache } from './taskSpans';
import { renderScale } from './renderScale';
import type { StackIndex } from '../stacks/stackIndex';
import { frameText } from '../../shared/stackSamples';

const PHASE_H = 16;
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
  | { kind: 'phases'; y: number; h: number }
  | { kind: 'strip'; y: number; h: number }
  | { kind: 'folded'; y: number; h: number; pids: number[] }
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
  /** Draw every process, quiet ones too (the "show all" button). */
  showAll = false;
  /** Processes folded away at the last render (for the button's label). */
  hiddenCount = 0;
  /** The shown run's stack samples: the tooltip names the function a thread was in. */
  stacks: StackIndex | null = null;

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
    this.rows = [
      { kind: 'phases', y: 0, h: PHASE_H },
      { kind: 'strip', y: PHASE_H + 2, h: STRIP_H },
    ];
    let y = PHASE_H + 2 + STRIP_H + 4;
    if (taskRows) {
      this.rows.push({ kind: 'tasks', y, h: taskRows * TASK_ROW_H });
      y += taskRows * TASK_ROW_H + 4;
    }
    const pick = pickLaneProcesses(store, byPid, this.processes, this.showAll);
    this.hiddenCount = pick.hidden.length;
    // For tests and people inspecting the page: the processes drawn, as their lanes name them.
    this.canvas.dataset.processes = pick.shown.map((pid) => `${pid} ${this.processLabel(pid, store)}`).join('\n');
    this.canvas.dataset.folded = String(pick.hidden.length);
    for (const pid of pick.shown) {
      this.rows.push({ kind: 'group', y, h: GROUP_H, pid });
      y += GROUP_H;
      const threads = byPid.get(pid)!.sort((a, b) => (a.info.tid === pid ? -1 : b.info.tid === pid ? 1 : a.info.tid - b.info.tid));
      for (const series of threads) {
        this.rows.push({ kind: 'thread', y, h: threadH, series });
        y += threadH;
      }
    }
    if (pick.hidden.length) {
      this.rows.push({ kind: 'folded', y, h: GROUP_H, pids: pick.hidden });
      y += GROUP_H;
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
      if (row.kind === 'phases') {
        grid.fill(0, top, grid.width, bottom, hexToPixel('#f8fafc'));
        const line = devY(row.y + 1);
        for (const p of store.phases) {
          if (p.toMs < win.fromMs) continue;
          const x0 = Math.max(LEFT_GUTTER, xOf(p.fromMs));
          const a = devX(x0);
          grid.span(line, a, Math.max(a + 1, devX(x0 + Math.max(1, xOf(p.toMs) - x0 - 1))), hexToPixel(kindColor(p.kind)));
        }
        grid.copyLine(line, line + 1, devY(row.y + row.h - 1));
      } else if (row.kind === 'strip') {
        grid.fill(0, top, grid.width, bottom, hexToPixel('#f1f5f9'));
        const line = devY(row.y + 2);
        for (const w of store.windows) {
          if (w.toMs < win.fromMs) continue;
          const x0 = Math.max(LEFT_GUTTER, xOf(w.fromMs));
          const a = devX(x0);
          grid.span(line, a, Math.max(a + 1, devX(x0 + Math.max(1, xOf(w.toMs) - x0 - 1))), hexToPixel(kindColor(w.kind)));
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
      } else if (row.kind === 'group' || row.kind === 'folded') {
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
      if (row.kind === 'phases') {
        this.label(ctx, 'phases', row.y + row.h / 2, true);
        this.phaseWords(ctx, store, xOf, row.y + row.h / 2);
      } else if (row.kind === 'strip') this.label(ctx, 'verdict per window', row.y + row.h / 2, true);
      else if (row.kind === 'folded') {
        ctx.fillStyle = palette.text;
        ctx.textAlign = 'left';
        ctx.fillText(`+ ${row.pids.length} quiet or short-lived process${row.pids.length === 1 ? '' : 'es'} folded (pids ${row.pids.slice(0, 8).join(', ')}${row.pids.length > 8 ? ', …' : ''})`, 6, row.y + row.h / 2 + 1);
      }
      else if (row.kind === 'tasks') this.label(ctx, `tasks (${spans.length})`, row.y + Math.min(row.h, 14) / 2, true);
      else if (row.kind === 'group') {
        ctx.fillStyle = '#e2e8f0';
        ctx.fillRect(0, row.y + 2, cssW - RIGHT_GUTTER, row.h - 3);
        ctx.fillStyle = palette.text;
        ctx.textAlign = 'left';
        ctx.font = 'bold 11px system-ui, sans-serif';
        const desc = this.processLabel(row.pid, store);
        ctx.fillText(fitText(ctx, `process ${row.pid}  ${desc}`, cssW - RIGHT_GUTTER - 12), 6, row.y + row.h / 2 + 1);
        ctx.font = '11px system-ui, sans-serif';
      } else {
        const series = row.series;
        // Text no taller than the row, so neighbouring labels do not run into each other.
        if (row.h >= 9) this.label(ctx, `${this.stacks?.threadName(series.info.tid) ?? series.info.name} · ${roleLabels[series.info.role] ?? series.info.role}`, row.y + row.h / 2, false, Math.min(11, row.h));
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
    ctx.fillText(fitText(ctx, text, LEFT_GUTTER - 12), LEFT_GUTTER - 6, y);
    ctx.font = '11px system-ui, sans-serif';
  }

  /** A process as its lane names it: its command line (never CoreScope's launcher), else its main thread's name. */
  private processLabel(pid: number, store: SeriesStore): string {
    const proc = this.processes.find((p) => p.pid === pid);
    return proc ? displayCommand(proc.cmdline) || proc.name : (store.threads.get(pid)?.info.name ?? '');
  }

  /** Each phase's kind written on it, where it is wide enough to hold the word. */
  private phaseWords(ctx: CanvasRenderingContext2D, store: SeriesStore, xOf: (ms: number) => number, y: number): void {
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    for (const p of store.phases) {
      const x0 = Math.max(LEFT_GUTTER, xOf(p.fromMs));
      const x1 = xOf(p.toMs);
      const word = phaseName(p.kind).replace(/ \(.*\)$/, '');
      if (x1 - x0 < ctx.measureText(word).width + 8) continue;
      ctx.fillStyle = p.kind === 'startup' || p.kind === 'winddown' ? palette.text : '#ffffff';
      ctx.fillText(word, (x0 + x1) / 2, y + 1);
    }
    ctx.font = '11px system-ui, sans-serif';
  }

  /** The run's time (ms) at a CSS x on the canvas, and back: for selecting a range by dragging. */
  timeAt(cssX: number): number {
    const plotW = (this.canvas.clientWidth || 800) - LEFT_GUTTER - RIGHT_GUTTER;
    return this.win.fromMs + ((cssX - LEFT_GUTTER) / plotW) * (this.win.toMs - this.win.fromMs);
  }

  xAt(ms: number): number {
    const plotW = (this.canvas.clientWidth || 800) - LEFT_GUTTER - RIGHT_GUTTER;
    return LEFT_GUTTER + ((ms - this.win.fromMs) / Math.max(1, this.win.toMs - this.win.fromMs)) * plotW;
  }

  /** The phase or window under a click on their strips (its span selects it), else null. */
  spanAt(cssX: number, cssY: number): { fromMs: number; toMs: number } | null {
    const store = this.store;
    const row = this.rows.find((r) => cssY >= r.y && cssY < r.y + r.h);
    if (!store || !row || cssX < LEFT_GUTTER) return null;
    const t = this.timeAt(cssX);
    const list = row.kind === 'phases' ? store.phases : row.kind === 'strip' ? store.windows : [];
    const hit = list.find((x) => t >= x.fromMs && t < x.toMs);
    return hit ? { fromMs: hit.fromMs, toMs: hit.toMs } : null;
  }

  /** What is under the pointer, as one line of text for the tooltip. */
  describe(cssX: number, cssY: number): string | null {
    const store = this.store;
    if (!store) return null;
    const plotW = (this.canvas.clientWidth || 800) - LEFT_GUTTER - RIGHT_GUTTER;
    const t = this.win.fromMs + ((cssX - LEFT_GUTTER) / plotW) * (this.win.toMs - this.win.fromMs);
    const row = this.rows.find((r) => cssY >= r.y && cssY < r.y + r.h);
    if (!row) return null;
    const span = (a: number, b: number) => `${(a / 1000).toFixed(2)}–${(b / 1000).toFixed(2)} s`;
    if (row.kind === 'phases') {
      const p = store.phases.find((x) => t >= x.fromMs && t < x.toMs);
      return p ? `Phase ${span(p.fromMs, p.toMs)} (${((p.toMs - p.fromMs) / 1000).toFixed(2)} s): ${phaseName(p.kind)} — ${p.text}${p.code ? ` — code: ${p.code}` : ''}` : store.phases.length ? null : 'Phases appear here once a second of the run has been judged.';
    }
    if (row.kind === 'strip') {
      const w: WindowVerdict | undefined = store.windows.find((x) => t >= x.fromMs && t < x.toMs);
      if (!w) return null;
      // The window's text begins with its verdict word; the reason, when the window had one, says why cores sat idle.
      return `Window ${span(w.fromMs, w.toMs)}: ${w.text}${w.reason ? ` — why: ${w.reason.text}` : ''}${w.code ? ` — code: ${w.code}` : ''}`;
    }
    if (row.kind === 'folded') return `Processes that used under ${Math.round(100 * QUIET_SHARE)}% of the busiest one's CPU (wrappers, shims, idle helpers): pids ${row.pids.join(', ')}. “Show all processes” draws them.`;
    if (row.kind === 'thread') {
      const info = row.series.info;
      let cpu = NaN;
      for (let i = store.count - 1; i >= store.first; i--) {
        if (store.t[store.slot(i)] <= t) {
          cpu = row.series.cpu[store.slot(i)];
          break;
        }
      }
      const frame = this.stacks?.frameAt(info.tid, t);
      // The program's own name for the thread first ('cpu-0'), the kernel's after it ('python3.11').
      const own = this.stacks?.threadName(info.tid);
      const named = own && own !== info.name ? `${own} (${info.name}, ` : `${info.name} (`;
      return `${named}tid ${info.tid}, pid ${info.pid}, ${roleLabels[info.role]})${Number.isNaN(cpu) ? '' : ` — ${(cpu * 100).toFixed(0)}% of a core at ${(t / 1000).toFixed(2)} s`}${frame ? ` — in ${frameText(frame)}` : ''}`;
    }
    if (row.kind === 'group') {
      const proc = this.processes.find((p) => p.pid === row.pid);
      return `process ${row.pid}${proc ? `: ${displayCommand(proc.cmdline) || proc.name}` : ''}`;
    }
    return 'task spans from the workload’s own events; rows in use at a moment = tasks in flight';
  }
}

/** The text cut to fit `maxPx`, with an ellipsis where it was cut (never mid-word without one). */
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxPx: number): string {
  if (ctx.measureText(text).width <= maxPx) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxPx) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo).trimEnd()}…`;
}
