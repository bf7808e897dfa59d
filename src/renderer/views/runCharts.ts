// The run's charts on one time axis: per-core utilisation (Chart.js lanes up to 16 cores, a
// heatmap above), the cores-busy line, and the per-thread lanes with the verdict strip. Used
// for the live run and for any finished run picked from the results table.
import type { ProcessInfo, RunSamples, Verdict, WindowVerdict } from '../../shared/types';
import { BusyLineChart } from '../charts/busyLineChart';
import { CoreHeatmap } from '../charts/coreHeatmap';
import { CoreLanesChart } from '../charts/coreLanesChart';
import { LEFT_GUTTER, RIGHT_GUTTER, type TimeWindow } from '../charts/layout';
import { ThreadLanes } from '../charts/threadLanes';
import type { SeriesStore } from '../state/seriesStore';
import { h } from '../util/dom';
import { describeBusy, describeCore, hoverTooltip, type HoverTooltip } from './chartHover';
import type { StackSamples } from '../../shared/stackSamples';
import { StackIndex } from '../stacks/stackIndex';
import { StacksPanel } from './stacksPanel';
import { kindColor, phaseNames, verdictNames } from './kindNames';
import { PHASE_KINDS, VERDICT_KINDS } from '../../shared/sessionSchema';

/** Up to this many cores each gets a readable lane; beyond, a heatmap row. */
export const MAX_LANE_CORES = 16;

/** Past this much drawing in one frame, the live view leaves the next chart to the next frame. */
const FRAME_DRAW_BUDGET_MS = 4;

export interface ChartExport {
  id: string;
  title: string;
  canvas: () => HTMLCanvasElement;
  /** Draws a hand-drawn (not Chart.js) canvas again, at the current render scale. */
  redraw?: () => void;
  /** Colours and what they mean, for the exported PNG (a PNG on a slide has no page around it). */
  legend?: { color: string; label: string }[];
}

export class RunCharts {
  readonly el: HTMLElement;
  private readonly coreBox = h('div', { class: 'chart-box core-box' });
  private readonly busyCanvas = h('canvas', { 'data-testid': 'busy-chart' });
  private readonly lanesCanvas = h('canvas', { 'data-testid': 'thread-lanes', class: 'lanes' });
  private readonly windowLine = h('div', { class: 'window-verdict', 'data-testid': 'window-verdict' });
  private readonly title = h('span', { 'data-testid': 'charts-title' }, 'Per-core utilisation');
  private readonly showAllButton = h('button', { type: 'button', class: 'small', 'data-testid': 'show-all-processes', hidden: true }, 'Show all processes');
  private coreChart: CoreLanesChart | CoreHeatmap | null = null;
  private readonly coreTip: HoverTooltip;
  private readonly busyTip: HoverTooltip;
  private readonly lanesTip: HoverTooltip;
  private coreCanvas: HTMLCanvasElement | null = null;
  private busy: BusyLineChart;
  private lanes: ThreadLanes;
  /** Charts scrolled out of view are not redrawn (the browser competes with the workload for cores). */
  private readonly visible = new Map<Element, boolean>();
  private last: Parameters<RunCharts['render']> | null = null;

  /** The run on screen, named in every exported chart's title. */
  private runName = '';

  /** The finished run's stack samples (null: none, or a live run), and why there are none. */
  private stacks: StackIndex | null = null;
  private noStacks: string | null = null;
  /** The selected stretch of a finished run, shown on the lanes and the busy chart, its code below them. */
  private selection: { fromMs: number; toMs: number } | null = null;
  private readonly lanesBand = h('div', { class: 'selection-band', hidden: true, 'data-testid': 'lanes-selection' });
  private readonly busyBand = h('div', { class: 'selection-band', hidden: true });
  readonly stacksPanel = new StacksPanel(() => this.select(null));
  private readonly lanesBox: HTMLElement;

  constructor(onExport: (chart: ChartExport) => void) {
    const exportButton = (id: string, title: string, canvas: () => HTMLCanvasElement) =>
      h('button', { type: 'button', class: 'small', 'data-export-png': id, onclick: () => onExport({ id, title: this.runName ? `${title} — ${this.runName}` : title, canvas, redraw: () => this.flush(), legend: LEGENDS[id] }) }, 'PNG');
    const busyBox = h('div', { class: 'chart-box busy-box' }, this.busyCanvas);
    const lanesBox = h('div', { class: 'lanes-box' }, this.lanesCanvas, this.lanesBand);
    this.lanesBox = lanesBox;
    busyBox.append(this.busyBand);
    this.el = h(
      'section',
      { class: 'run-charts', 'data-testid': 'run-charts' },
      h('div', { class: 'panel-head' }, h('h2', {}, this.title), exportButton('cores', 'Per-core utilisation', () => this.coreCanvas!)),
      h('div', { class: 'legend' }, h('span', { class: 'sw user' }), 'user ', h('span', { class: 'sw system' }), 'system'),
      this.coreBox,
      h('div', { class: 'panel-head' }, h('h2', {}, 'Cores busy'), exportButton('busy', 'Cores busy', () => this.busyCanvas)),
      busyBox,
      h('div', { class: 'panel-head' }, h('h2', {}, 'Threads and tasks'), h('span', { class: 'head-actions' }, this.showAllButton, exportButton('lanes', 'Threads and tasks', () => this.lanesCanvas))),
      this.windowLine,
      kindLegend(),
      h('p', { class: 'quiet select-hint', 'data-testid': 'select-hint' }, 'Drag across the lanes or the cores-busy chart, or click a phase or window, to see the code that ran in that stretch (Esc clears).'),
      lanesBox,
      this.stacksPanel.el,
    );
    this.busy = new BusyLineChart(this.busyCanvas);
    this.lanes = new ThreadLanes(this.lanesCanvas);
    this.busyTip = hoverTooltip(busyBox, 'busy-tooltip', (x, y) => (this.last ? describeBusy(this.last[0], this.busy.chart, x, y) : null));
    busyBox.append(this.busyTip.element);
    this.coreTip = hoverTooltip(this.coreBox, 'core-tooltip', (x, y) => (this.last && this.coreChart instanceof CoreLanesChart ? describeCore(this.last[0], this.coreChart.chart, x, y) : null));
    this.lanesTip = hoverTooltip(lanesBox, undefined, (x, y) => this.lanes.describe(x, y));
    lanesBox.append(this.lanesTip.element);
    this.showAllButton.addEventListener('click', () => {
      this.lanes.showAll = !this.lanes.showAll;
      this.flush();
    });
    const observer = new IntersectionObserver((entries) => {
      let newlyVisible = false;
      for (const e of entries) {
        if (e.isIntersecting && !this.visible.get(e.target)) newlyVisible = true;
        this.visible.set(e.target, e.isIntersecting);
      }
      if (newlyVisible && this.last) this.render(...this.last);
    });
    for (const el of [this.coreBox, this.busyCanvas, this.lanesCanvas]) observer.observe(el);
    this.dragToSelect(this.lanesCanvas, (x) => this.lanes.timeAt(x), () => [LEFT_GUTTER, this.lanesCanvas.clientWidth - RIGHT_GUTTER], (x, y) => this.lanes.spanAt(x, y));
    this.dragToSelect(
      this.busyCanvas,
      (x) => Number(this.busy.chart.scales.x.getValueForPixel(x)) * 1000,
      () => [this.busy.chart.chartArea?.left ?? LEFT_GUTTER, this.busy.chart.chartArea?.right ?? this.busyCanvas.clientWidth - RIGHT_GUTTER],
    );
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.selection && !e.defaultPrevented) this.select(null);
    });
    // The charts follow the window's width; the bands follow the charts (after Chart.js's own resize).
    window.addEventListener('resize', () => requestAnimationFrame(() => this.placeBands(this.selection)));
  }

  /** Whether a stretch can be selected: a finished run is on screen. */
  private get selectable(): boolean {
    return !!this.last && !!this.last[3];
  }

  /**
   * Drag across `canvas` to select a stretch of the run; a click (no drag) selects the phase or
   * window under it, where `clickAt` finds one.
   */
  private dragToSelect(canvas: HTMLCanvasElement, timeAt: (x: number) => number, bounds: () => [number, number], clickAt?: (x: number, y: number) => { fromMs: number; toMs: number } | null): void {
    canvas.addEventListener('mousedown', (down: MouseEvent) => {
      if (down.button !== 0 || !this.selectable) return;
      const [left, right] = bounds();
      const x0 = down.offsetX;
      if (x0 < left || x0 > right) return;
      down.preventDefault();
      const rect = canvas.getBoundingClientRect();
      const clamp = (x: number) => Math.max(left, Math.min(right, x));
      let dragged = false;
      const span = (x1: number) => {
        const a = timeAt(Math.min(x0, x1));
        const b = timeAt(Math.max(x0, x1));
        return { fromMs: Math.max(0, a), toMs: Math.max(0, b) };
      };
      const move = (e: MouseEvent) => {
        const x = clamp(e.clientX - rect.left);
        if (!dragged && Math.abs(x - x0) < 4) return;
        dragged = true;
        this.placeBands(span(x));
      };
      const up = (e: MouseEvent) => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
        if (dragged) this.select(span(clamp(e.clientX - rect.left)));
        else {
          const hit = clickAt?.(x0, down.offsetY);
          if (hit) this.select(hit);
        }
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    });
  }

  /** The finished run's stack samples and its per-thread CPU (null for a live run, or a run without them, with `why`). Clears the selection. */
  setStacks(stacks: StackSamples | null | undefined, samples: RunSamples | null, why: string | null): void {
    this.stacks = stacks && stacks.t.length ? new StackIndex(stacks, samples, (tid) => this.last?.[0].threads.get(tid)?.info.name) : null;
    this.noStacks = why;
    this.lanes.stacks = this.stacks;
    this.el.dataset.stacks = String(this.stacks?.count ?? 0);
    this.select(null);
  }

  /** Selects a stretch of the finished run on screen (null clears): bands on the charts, its code below the lanes. */
  select(span: { fromMs: number; toMs: number } | null): void {
    if (span && (!this.selectable || !(span.toMs > span.fromMs))) return;
    this.selection = span;
    this.placeBands(span);
    if (!span) {
      this.stacksPanel.hide();
      delete this.el.dataset.selection;
      return;
    }
    this.el.dataset.selection = `${Math.round(span.fromMs)}-${Math.round(span.toMs)}`;
    this.stacksPanel.show(this.stacks, this.noStacks, span.fromMs, span.toMs);
  }

  /** Brings the lanes and the selection's code into view (a stretch picked in the verdict panel). */
  revealSelection(): void {
    this.lanesBox.scrollIntoView({ behavior: 'instant', block: 'start' });
  }

  private placeBands(span: { fromMs: number; toMs: number } | null): void {
    this.lanesBand.hidden = this.busyBand.hidden = !span;
    if (!span) return;
    const x0 = this.lanes.xAt(span.fromMs);
    const x1 = this.lanes.xAt(span.toMs);
    const lanesRight = this.lanesCanvas.clientWidth - RIGHT_GUTTER;
    const left = Math.max(LEFT_GUTTER, Math.min(lanesRight, x0));
    this.lanesBand.style.left = `${left}px`;
    this.lanesBand.style.width = `${Math.max(2, Math.min(lanesRight, x1) - left)}px`;
    const area = this.busy.chart.chartArea;
    if (area) {
      const bx0 = Math.max(area.left, this.busy.chart.scales.x.getPixelForValue(span.fromMs / 1000));
      const bx1 = Math.min(area.right, this.busy.chart.scales.x.getPixelForValue(span.toMs / 1000));
      this.busyBand.style.left = `${bx0}px`;
      this.busyBand.style.width = `${Math.max(2, bx1 - bx0)}px`;
      this.busyBand.style.top = `${area.top}px`;
      this.busyBand.style.height = `${area.bottom - area.top}px`;
    } else this.busyBand.hidden = true;
  }

  /** Redraws every chart, seen or not: before an export, the canvas must be current. */
  flush(): void {
    if (!this.last) return;
    const seen = new Map(this.visible);
    this.visible.clear();
    this.render(...this.last);
    for (const [k, v] of seen) this.visible.set(k, v);
  }

  private shows(el: Element): boolean {
    return this.visible.get(el) ?? true;
  }

  /** `run` names the run on screen (also in exported PNGs' titles). */
  setTitle(text: string, run = ''): void {
    this.title.textContent = text;
    this.title.title = text;
    this.runName = run;
  }

  private ensureCoreChart(cores: number): void {
    const wantLanes = cores <= MAX_LANE_CORES;
    // The box follows the core count, also when it changes within a mode (a run starts drawn
    // with one core until the first batch says how many there are).
    const height = `${wantLanes ? Math.min(420, Math.max(150, cores * 56 + 40)) : Math.min(480, Math.max(220, cores * 3 + 40))}px`;
    if (this.coreBox.style.height !== height) this.coreBox.style.height = height;
    if (this.coreChart && (this.coreChart instanceof CoreLanesChart) === wantLanes) return;
    this.coreChart?.destroy();
    this.coreBox.replaceChildren();
    const canvas = h('canvas', { 'data-testid': 'core-chart', 'data-mode': wantLanes ? 'lanes' : 'heatmap' });
    this.coreBox.append(canvas, this.coreTip.element);
    this.coreCanvas = canvas;
    this.coreChart = wantLanes ? new CoreLanesChart(canvas) : new CoreHeatmap(canvas);
  }

  /** `overall` is the finished run's verdict; without it the view is live and shows the latest window. */
  render(store: SeriesStore, win: TimeWindow, processes: ProcessInfo[] = [], overall?: Verdict): void {
    this.last = [store, win, processes, overall];
    this.pending.fill(false);
    this.ensureCoreChart(Math.max(1, store.coreCount));
    for (let i = 0; i < 3; i++) this.drawChart(i);
    this.renderText(store, overall);
    // The axes may have moved under the selection.
    this.placeBands(this.selection);
  }

  /**
   * The live view's redraw, called from a rAF callback: draws a chart now and the others in this
   * frame or the next ones (see step), so one frame need not carry all three charts' work. A new
   * batch arriving meanwhile just marks all three for redrawing with the newest data.
   */
  renderLive(store: SeriesStore, win: TimeWindow): void {
    this.last = [store, win, [], undefined];
    if (this.selection) this.select(null);
    this.ensureCoreChart(Math.max(1, store.coreCount));
    this.renderText(store, undefined);
    this.pending.fill(true);
    if (!this.stepQueued) this.step();
  }

  private readonly pending = [false, false, false];
  /** How long each chart's last live draw took (ms), and when it was drawn (a sequence number). */
  private readonly drawMs = [0, 0, 0];
  private readonly drawnSeq = [0, 0, 0];
  private seq = 0;
  private stepQueued = false;

  private readonly step = (): void => {
    this.stepQueued = false;
    // Charts are drawn one after another while the next one, at what it took last time, still
    // fits the frame's budget: cheap charts (few cores and threads) all go in one frame, as each
    // extra frame costs a paint and a composite of its own; expensive ones (many cores, long
    // history) keep a frame each so no frame runs long.
    // The chart drawn longest ago goes first: with batches arriving faster than frames (the page
    // starved of CPU by the workload), always starting from the first chart left the others
    // seconds behind.
    // At least one chart per frame, whatever it cost last time.
    const start = performance.now();
    for (let drawn = 0; ; drawn++) {
      let i = -1;
      for (let k = 0; k < this.pending.length; k++) if (this.pending[k] && (i < 0 || this.drawnSeq[k] < this.drawnSeq[i])) i = k;
      if (i < 0) return;
      const t0 = performance.now();
      if (drawn > 0 && t0 - start + this.drawMs[i] > FRAME_DRAW_BUDGET_MS) break;
      this.pending[i] = false;
      this.drawChart(i);
      this.drawMs[i] = performance.now() - t0;
      this.drawnSeq[i] = ++this.seq;
    }
    if (this.pending.includes(true)) {
      this.stepQueued = true;
      requestAnimationFrame(this.step);
    }
  };

  private drawChart(i: number): void {
    if (!this.last) return;
    const [store, win, processes = []] = this.last;
    if (i === 0 && this.shows(this.coreBox)) {
      this.coreChart!.render(store, win);
      this.coreTip.refresh();
    }
    if (i === 1 && this.shows(this.busyCanvas)) {
      this.busy.render(store, win);
      this.busyTip.refresh();
    }
    if (i === 2) {
      this.lanes.processes = processes;
      if (this.shows(this.lanesCanvas)) {
        this.lanes.render(store, win);
        this.lanesTip.refresh();
      }
      const n = this.lanes.hiddenCount;
      this.showAllButton.hidden = n === 0 && !this.lanes.showAll;
      this.showAllButton.textContent = this.lanes.showAll ? 'Fold quiet processes' : `Show all processes (+${n})`;
    }
  }

  private renderText(store: SeriesStore, overall?: Verdict): void {
    // Tests and people both want to know how much data the chart holds.
    this.el.dataset.samples = String(store.count);
    this.el.dataset.live = String(!overall);
    this.el.dataset.threads = String(store.threads.size);
    this.el.dataset.pids = [...new Set([...store.threads.values()].map((t) => t.info.pid))].join(' ');
    this.el.dataset.phases = store.phases.map((p) => p.kind).join(' ');
    this.el.classList.toggle('selectable', !!overall);
    if (overall) {
      this.windowLine.textContent = `Whole run: ${verdictNames[overall.kind] ?? overall.kind}. Hover the phases for each one’s span and evidence, and the strip under them for each 250 ms window’s verdict (and, where cores sat idle, why).`;
      this.windowLine.className = `window-verdict verdict-${overall.kind}`;
      return;
    }
    const last: WindowVerdict | undefined = store.windows.filter((w) => w.toMs > w.fromMs).pop();
    this.windowLine.textContent = last
      ? `Now (${(last.fromMs / 1000).toFixed(1)}–${(last.toMs / 1000).toFixed(1)} s): ${last.text}${last.reason ? ` — ${last.reason.text}` : ''}`
      : 'Per-window verdicts appear here as the run goes.';
    this.windowLine.className = `window-verdict ${last ? `verdict-${last.kind}` : ''}`;
  }
}

/** The colours of the phase strip and the window strip, named. */
function kindLegend(): HTMLElement {
  const item = (kind: string, label: string) => h('span', { class: 'kind-item', 'data-kind': kind }, h('span', { class: 'sw', style: `background:${kindColor(kind)}` }), label);
  const windowKinds = VERDICT_KINDS.filter((k) => k !== 'mixed' && k !== 'failed' && !PHASE_KINDS.includes(k as never));
  return h(
    'div',
    { class: 'legend kind-legend', 'data-testid': 'kind-legend' },
    h('strong', {}, 'Phases and windows: '),
    ...PHASE_KINDS.map((k) => item(k, phaseNames[k])),
    ...windowKinds.map((k) => item(k, verdictNames[k])),
  );
}

/** What the colours of each exported chart mean, drawn under its title in the PNG. */
const LEGENDS: Record<string, { color: string; label: string }[]> = {
  cores: [
    { color: '#2563eb', label: 'user' },
    { color: '#dc2626', label: 'system' },
  ],
  busy: [
    { color: '#0f172a', label: 'cores busy (whole machine)' },
    { color: '#16a34a', label: 'workload (cores’ worth of CPU)' },
  ],
  lanes: [...PHASE_KINDS.map((k) => ({ color: kindColor(k), label: phaseNames[k] })), { color: 'hsl(221, 85%, 34%)', label: 'thread at 100% of a core' }],
};
