// The code of a selected stretch of a finished run ("Code in 1.20–2.40 s"): per thread its top
// innermost functions by CPU time, the suspended asyncio tasks grouped by the await they wait at,
// and a flame graph of the stretch. The flame graph's library (flame-chart-js) is a chunk of its
// own, loaded the first time a stretch is selected: a page that never selects never loads it.
import type { FlameGraph } from '../stacks/flameGraph';
import type { RangeCode, StackIndex, ThreadCode } from '../stacks/stackIndex';
import { h } from '../util/dom';
import { fmtMs } from '../util/format';
import { spanText } from './whichCode';

/** Threads listed at most; the rest are counted. */
const MAX_THREADS = 12;
const MAX_TASK_GROUPS = 6;

const pct = (x: number): string => `${Math.round(100 * x)}%`;

export class StacksPanel {
  readonly el = h('section', { class: 'stacks-panel', 'data-testid': 'stacks-panel', hidden: true, 'aria-live': 'polite' });
  private readonly title = h('h3', { 'data-testid': 'stacks-title' });
  private readonly body = h('div', { class: 'stacks-body' });
  private readonly flameBox = h('div', { class: 'flame-box' });
  private readonly flameCanvas = h('canvas', { 'data-testid': 'flame-graph', class: 'flame-graph' });
  private readonly flameHead = h('h4', {});
  private readonly flameSection = h(
    'div',
    { class: 'flame-section', hidden: true },
    this.flameHead,
    h('p', { class: 'quiet flame-help' }, 'Hover a box for its time; Ctrl + wheel zooms, drag pans. The top row is each thread; below it, its calls from the outermost down to the code that ran.'),
    this.flameBox,
  );
  private flame: FlameGraph | null = null;
  private flameLoad: Promise<FlameGraph | null> | null = null;
  /** The range the flame graph should show once its code has loaded (the latest asked for). */
  private wanted: RangeCode | null = null;

  constructor(onClose: () => void) {
    const close = h('button', { type: 'button', class: 'small close', 'data-testid': 'stacks-close', 'aria-label': 'Clear the selection (Esc)', title: 'Clear the selection (Esc)', onclick: onClose }, '× Close');
    this.flameBox.append(this.flameCanvas);
    this.el.append(h('div', { class: 'panel-head' }, this.title, close), this.body, this.flameSection);
  }

  hide(): void {
    this.el.hidden = true;
    this.wanted = null;
    delete this.el.dataset.fromMs;
    delete this.el.dataset.toMs;
  }

  /** Shows the stretch [fromMs, toMs): its code from `index`, or `why` there is none. */
  show(index: StackIndex | null, why: string | null, fromMs: number, toMs: number): void {
    this.el.hidden = false;
    this.el.dataset.fromMs = String(Math.round(fromMs));
    this.el.dataset.toMs = String(Math.round(toMs));
    this.title.textContent = `Code in ${spanText(fromMs, toMs)}`;
    if (!index) {
      this.body.replaceChildren(h('p', { class: 'quiet', 'data-testid': 'stacks-none' }, why ?? 'No stack samples in this run.'));
      this.flameSection.hidden = true;
      this.wanted = null;
      return;
    }
    const code = index.range(fromMs, toMs);
    if (!code.samples && !code.tasks.length) {
      this.body.replaceChildren(h('p', { class: 'quiet', 'data-testid': 'stacks-none' }, `No stack samples in this stretch (${index.count} in the whole run, ${Math.round(1000 / index.intervalMs)} per second per thread). Select a wider one.`));
      this.flameSection.hidden = true;
      this.wanted = null;
      return;
    }
    const threads = code.threads.slice(0, MAX_THREADS);
    const parts: HTMLElement[] = [
      h('p', { class: 'quiet stacks-summary' }, `${code.samples} stack samples of ${code.threads.length} thread${code.threads.length === 1 ? '' : 's'}. Top functions by CPU time: the innermost frame, the code that was running.`),
      h('div', { class: 'stack-threads', 'data-testid': 'stack-threads' }, ...threads.map(threadCard)),
    ];
    if (code.threads.length > threads.length) parts.push(h('p', { class: 'quiet' }, `+ ${code.threads.length - threads.length} more threads with fewer samples.`));
    if (code.tasks.length) parts.push(taskList(code));
    this.body.replaceChildren(...parts);
    this.showFlame(code);
  }

  private showFlame(code: RangeCode): void {
    this.wanted = code;
    this.flameSection.hidden = !code.flame.length;
    if (!code.flame.length) return;
    this.flameHead.textContent =
      code.flameMode === 'cpu'
        ? `Flame graph of the stretch — callers above callees, widths = CPU time (${fmtMs(code.flameTotal)} in all)`
        : `Flame graph of the stretch — callers above callees, widths = samples (${code.flameTotal}; no CPU time to weigh them by: where the threads were)`;
    // The names fed to the graph, for people and tests inspecting the page.
    this.flameCanvas.dataset.names = [...new Set(flatNames(code.flame))].join('\n');
    this.flameCanvas.dataset.mode = code.flameMode;
    if (this.flame) {
      this.flame.show(code.flame, code.flameMode);
      return;
    }
    this.flameLoad ??= import('../stacks/flameGraph').then(
      (m) => (this.flame = new m.FlameGraph(this.flameCanvas, this.flameBox)),
      (err: unknown) => {
        this.flameLoad = null;
        this.flameHead.textContent = `The flame graph could not be loaded: ${(err as Error).message}`;
        return null;
      },
    );
    void this.flameLoad.then((g) => {
      const want = this.wanted;
      if (g && want && !this.el.hidden) g.show(want.flame, want.flameMode);
    });
  }
}

function threadCard(t: ThreadCode): HTMLElement {
  const cpu = Number.isFinite(t.cpuMs) ? `${fmtMs(t.cpuMs)} CPU` : 'CPU not known';
  const waited = t.mode === 'samples';
  return h(
    'div',
    { class: 'stack-thread', 'data-testid': 'stack-thread', 'data-tid': String(t.tid) },
    h('div', { class: 'stack-thread-head' }, h('strong', {}, t.name), h('span', { class: 'quiet' }, ` tid ${t.tid} · pid ${t.pid} · ${cpu}${waited && Number.isFinite(t.cpuMs) ? ' (it waited: shares of its samples)' : waited ? ' (shares of its samples)' : ''}`)),
    t.top.length
      ? h(
          'ol',
          { class: 'top-functions' },
          ...t.top.map((f) =>
            h(
              'li',
              { 'data-testid': 'top-function', title: waited ? `${Math.round(f.weight)} samples` : `${fmtMs(f.weight)} CPU` },
              h('span', { class: 'share' }, pct(f.share)),
              h('code', {}, f.text),
            ),
          ),
        )
      : h('div', { class: 'quiet' }, 'no frames sampled'),
  );
}

function taskList(code: RangeCode): HTMLElement {
  const groups = code.tasks.slice(0, MAX_TASK_GROUPS);
  return h(
    'div',
    { class: 'stack-tasks', 'data-testid': 'stack-tasks' },
    h('h4', {}, 'Suspended asyncio tasks, by the await they wait at'),
    h(
      'ul',
      {},
      ...groups.map((g) =>
        h(
          'li',
          {},
          h('span', { class: 'share' }, pct(g.share)),
          `${g.tasks >= 1.5 ? `≈${Math.round(g.tasks)} tasks` : '1 task'} at `,
          h('code', {}, g.text),
        ),
      ),
    ),
    code.tasks.length > groups.length ? h('div', { class: 'quiet' }, `+ ${code.tasks.length - groups.length} more await points`) : null,
  );
}

function* flatNames(nodes: RangeCode['flame']): Generator<string> {
  for (const n of nodes) {
    yield n.name;
    if (n.children) yield* flatNames(n.children);
  }
}
