// The "Attach to a running process" picker: a live list of a machine's programs (this one's, or
// those of the machine chosen under Run on), as top shows
// them (name, pid, user, threads, CPU now), searchable, the likely ones (python, node, java…)
// marked and listed first among equals. Picking a row fills the pid the form will attach to.
import type { RunningProcess } from '../../shared/model';
import { clear, h } from '../util/dom';
import type { ScenarioInfo } from '../../shared/model';

/** The picker's entry in the scenario list (Custom group): not a catalog scenario, a way to pick a program. */
export const ATTACH_ENTRY: ScenarioInfo = {
  id: 'attach',
  title: 'Attach to a running process',
  runtime: 'custom',
  explanation:
    'Watch a program that is already running — a server under load, a long training job — by its pid, ' +
    'with the same per-core and per-thread view. Its children and threads are followed as they come and go. ' +
    'CoreScope never signals it: stopping, closing the app or CoreScope crashing leave it running. Only a launch ' +
    'gives task events, output and exact CPU of reaped children; the result says so.',
  params: [],
  expectedVerdict: 'any',
};

const REFRESH_MS = 1000;
const SHOWN = 60;

export class AttachList {
  readonly el = h('div', { class: 'attach-list', 'data-testid': 'attach-list' });
  private readonly search = h('input', { type: 'search', placeholder: 'Search by name, pid, user or command', 'aria-label': 'Search processes', class: 'wide', 'data-testid': 'attach-search' });
  private readonly table = h('table', { class: 'attach-table' });
  private readonly status = h('div', { class: 'help' });
  private rows: RunningProcess[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private selected: number | null = null;

  constructor(
    private readonly list: () => Promise<RunningProcess[]>,
    /** Whose programs they are, for the status line ("on lab"). */
    private readonly where: () => string,
    private readonly onPick: (p: RunningProcess) => void,
  ) {
    this.search.addEventListener('input', () => this.render());
    this.el.append(this.search, this.status, h('div', { class: 'attach-scroll' }, this.table));
  }

  /** Starts refreshing (once a second) while the picker is on screen. */
  start(): void {
    this.stop();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  select(pid: number | null): void {
    this.selected = pid;
    this.render();
  }

  private async refresh(): Promise<void> {
    try {
      this.rows = await this.list();
      this.status.textContent = `${this.rows.length} programs running ${this.where()}; CPU is the share of one core over the last second.`;
    } catch (err) {
      this.status.textContent = `Could not list the running programs: ${(err as Error).message}`;
    }
    this.render();
  }

  private render(): void {
    const q = this.search.value.trim().toLowerCase();
    const rows = this.rows.filter((p) => !q || `${p.pid} ${p.name} ${p.user} ${p.cmdline}`.toLowerCase().includes(q)).slice(0, SHOWN);
    clear(this.table);
    this.table.append(h('thead', {}, h('tr', {}, ...['pid', 'name', 'user', 'threads', 'CPU', 'command'].map((c) => h('th', {}, c)))));
    const body = h('tbody', {});
    for (const p of rows) {
      const tr = h(
        'tr',
        {
          class: `${p.likely ? 'likely' : ''} ${p.pid === this.selected ? 'selected' : ''}`.trim(),
          'data-pid': p.pid,
          tabindex: 0,
          title: p.likely ? 'An interpreter: the likeliest program to look at' : p.cmdline,
          onclick: () => this.pick(p),
          onkeydown: (e: Event) => {
            const key = (e as KeyboardEvent).key;
            if (key === 'Enter' || key === ' ') {
              e.preventDefault();
              this.pick(p);
            }
          },
        },
        h('td', { class: 'num' }, String(p.pid)),
        h('td', {}, p.name),
        h('td', {}, p.user),
        h('td', { class: 'num' }, String(p.threads)),
        h('td', { class: 'num' }, p.cpuPct === null ? '…' : `${p.cpuPct.toFixed(0)} %`),
        h('td', { class: 'cmd' }, p.cmdline),
      );
      body.append(tr);
    }
    this.table.append(body);
  }

  private pick(p: RunningProcess): void {
    this.selected = p.pid;
    this.render();
    this.onPick(p);
  }
}
