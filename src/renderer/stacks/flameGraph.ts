// The flame graph of a selected stretch, drawn by flame-chart-js (canvas, no framework): the
// stretch's aggregated stacks (stackIndex.ts) laid out as an icicle — callers above callees, each
// box as wide as the CPU time spent in it and below it, siblings side by side heaviest first. The
// library's "time" axis is then the stretch's CPU time. This module is a chunk of its own, loaded
// when a stretch is first selected (views/stacksPanel.ts).
import { FlameChartContainer, FlameChartPlugin, TimeGridPlugin, type FlameChartContainerSettings, type FlameChartNode } from 'flame-chart-js';
import type { FlameNode } from './stackIndex';

const BLOCK_H = 18;
/** The time grid's row of labels on top. */
const GRID_H = 22;
const MIN_H = 90;
const MAX_H = 440;

/** What the library passes a custom tooltip: the box under the pointer and its engine. */
interface HoveredBox {
  data: { source: FlameChartNode };
}
interface TooltipEngine {
  width: number;
  height: number;
  charHeight: number;
  blockPaddingLeftRight: number;
  ctx: CanvasRenderingContext2D;
  parent?: TooltipEngine;
  renderTooltipFromData(fields: { text: string; color?: string }[], mouse: { x: number; y: number }): void;
}

export class FlameGraph {
  private chart: FlameChartContainer | null = null;
  private plugin: FlameChartPlugin | null = null;
  private total = 1;
  private mode: 'cpu' | 'samples' = 'cpu';
  private height = MIN_H;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly box: HTMLElement,
  ) {
    // The page scrolls over the graph as over anything else; Ctrl + wheel zooms it (the library
    // takes every wheel event for its zoom, which trapped the page's scrolling).
    box.addEventListener(
      'wheel',
      (e) => {
        if (!e.ctrlKey) e.stopPropagation();
      },
      { capture: true },
    );
    window.addEventListener('resize', () => {
      const w = this.width();
      if (this.chart && w !== this.chart.renderEngine.width) this.chart.resize(w, this.height);
    });
  }

  private width(): number {
    return Math.max(200, this.box.clientWidth || 800);
  }

  /** Draws `nodes` (widths in CPU ms, or in samples). */
  show(nodes: FlameNode[], mode: 'cpu' | 'samples'): void {
    this.total = nodes.reduce((a, n) => a + n.duration, 0) || 1;
    this.mode = mode;
    this.height = Math.max(MIN_H, Math.min(MAX_H, GRID_H + depth(nodes) * (BLOCK_H + 1) + 6));
    const width = this.width();
    const data = nodes as FlameChartNode[];
    if (!this.chart || !this.plugin) {
      this.canvas.width = width;
      this.canvas.height = this.height;
      this.plugin = new FlameChartPlugin({ data, name: 'flame' });
      this.chart = new FlameChartContainer({ canvas: this.canvas, plugins: [new TimeGridPlugin({ styles: { font: '10px system-ui, sans-serif', fontColor: '#64748b' } }), this.plugin], settings: this.settings() });
    } else {
      this.chart.setSettings(this.settings());
      this.chart.resize(width, this.height);
      this.plugin.setData(data);
      this.chart.render();
    }
    // What the library holds, for people and tests inspecting the page.
    this.canvas.dataset.drawnNodes = [...new Set(this.plugin.flatTree.map((n) => n.source.name))].join('\n');
  }

  private settings(): FlameChartContainerSettings {
    return {
      options: { timeUnits: this.mode === 'cpu' ? 'ms' : ' samples', tooltip: (box: HoveredBox, engine: unknown, mouse: { x: number; y: number } | null) => this.tooltip(box, engine as TooltipEngine, mouse) },
      styles: {
        main: {
          blockHeight: BLOCK_H,
          font: '11px system-ui, sans-serif',
          fontColor: '#0f172a',
          tooltipHeaderFontColor: '#0f172a',
          tooltipBodyFontColor: '#334155',
          tooltipBackgroundColor: '#ffffff',
          tooltipShadowColor: 'rgba(15, 23, 42, 0.35)',
        },
        timeGrid: { color: 'rgba(100, 116, 139, 0.18)' },
      },
    };
  }

  /** The box's name, its width (CPU ms or samples) and share of the stretch, and its self time; kept inside the canvas. */
  private tooltip(box: HoveredBox, engine: TooltipEngine, mouse: { x: number; y: number } | null): void {
    if (!mouse) return;
    const n = box.data.source;
    const unit = this.mode === 'cpu' ? 'ms CPU' : 'samples';
    const fmt = (x: number) => (this.mode === 'cpu' ? x.toFixed(x >= 100 ? 0 : 1) : String(Math.round(x)));
    const self = n.duration - (n.children ?? []).reduce((a, c) => a + c.duration, 0);
    const fields = [{ text: n.name }, { text: `${fmt(n.duration)} ${unit} — ${Math.round((100 * n.duration) / this.total)} % of the stretch` }];
    if (n.children?.length) fields.push({ text: `self (in this function itself): ${fmt(self)} ${unit}` });
    const root = engine.parent ?? engine;
    const pad = engine.blockPaddingLeftRight;
    const w = Math.max(...fields.map((f) => engine.ctx.measureText(f.text).width)) + pad * 4;
    const h = (engine.charHeight + 2) * fields.length + pad * 2;
    engine.renderTooltipFromData(fields, { x: Math.max(0, Math.min(mouse.x, root.width - w - 12)), y: Math.max(0, Math.min(mouse.y, root.height - h - 12)) });
  }
}

function depth(nodes: FlameNode[]): number {
  let d = 0;
  for (const n of nodes) d = Math.max(d, 1 + (n.children ? depth(n.children) : 0));
  return d;
}
