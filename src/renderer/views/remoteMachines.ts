// The Machines place (issue #18): other machines, reached over the system's ssh with the user's
// own config, keys and agent. Add one by [user@]host[:port] (connecting sends CoreScope there the
// first time), see its profile, and pick it under "Run on" to run a scenario or a command there,
// live. Machines used before are listed (the engine remembers them); a click connects again.
// A connected machine's row runs the standard suite there (its progress shown on the row, Stop
// keeps what finished) and saves that machine's session, the suite with its sweeps included.
import type { EngineEvent } from '../../shared/api';
import type { MachineEntry } from '../../shared/model';
import { atDoor } from '../../shared/fieldNames';
import { ApiError } from '../transport/apiError';
import { clear, h } from '../util/dom';

export interface RemoteMachinesActions {
  connect(host: string): Promise<MachineEntry>;
  list(): Promise<MachineEntry[]>;
  /** The connected machines changed: the Run on choice follows. */
  changed(connected: MachineEntry[]): void;
  /** Saves a connected machine's own session (its runs, its hardware); resolves with where it went, or null. */
  saveSession(host: string): Promise<string | null>;
  /** Starts the standard suite there; resolves with how many runs it will make. */
  runSuite(host: string): Promise<{ runs: number }>;
  stopSuite(host: string): Promise<void>;
}

type SuiteEvent = Extract<EngineEvent, { type: 'suite-progress' | 'suite-finished' }>;

/** What a machine's row says of its suite: going (its last line, how far), or how it ended. */
interface SuiteState {
  going: boolean;
  text: string;
}

/** One line of a machine's profile: cores, CPU, its hostname. */
export function machineSummary(m: MachineEntry): string {
  if (!m.info) return m.connected ? 'connected' : `used ${m.lastUsed.slice(0, 10)}`;
  const cpu = m.info.hardware.cpu;
  return `${cpu.logicalCores} cores · ${cpu.brand || 'CPU'} · ${m.info.hardware.hostname} · Node ${m.info.nodeVersion}`;
}

export class RemoteMachines {
  readonly el = h('section', { class: 'remote-machines', 'data-testid': 'remote-machines' });
  private readonly input = h('input', { type: 'text', id: 'machine-host', 'data-testid': 'machine-host', 'aria-label': 'Machine', placeholder: 'user@host[:port]', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'machine-error' }) as HTMLInputElement;
  private readonly connectButton = h('button', { type: 'button', class: 'small', 'data-testid': 'machine-connect', onclick: () => void this.connect(this.input.value) }, 'Connect');
  private readonly error = h('div', { class: 'field-error', id: 'machine-error', 'data-testid': 'machine-error', role: 'alert' });
  private readonly status = h('div', { class: 'machine-status', 'data-testid': 'machine-status', 'aria-live': 'polite' });
  private readonly listEl = h('ul', { class: 'machine-list', 'data-testid': 'machine-list' });
  private machines: MachineEntry[] = [];
  private readonly suites = new Map<string, SuiteState>();

  constructor(private readonly actions: RemoteMachinesActions) {
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.connect(this.input.value);
    });
    this.el.append(
      h('h3', {}, 'Machines'),
      h('p', { class: 'help' }, 'Run on another machine over ssh (your ~/.ssh/config, keys and agent). It needs Node.js ≥ 20 and Python 3 there.'),
      h('div', { class: 'machine-add' }, this.input, this.connectButton),
      this.error,
      this.status,
      this.listEl,
    );
  }

  /** Lists the machines the engine remembers (none when it cannot reach others). */
  async load(): Promise<void> {
    try {
      this.render(await this.actions.list());
    } catch {
      // An engine without machines: the place stays empty but usable for adding one.
    }
  }

  async connect(raw: string): Promise<void> {
    const host = raw.trim();
    this.error.textContent = '';
    this.input.removeAttribute('aria-invalid');
    if (!host) {
      this.showError('Machine: give [user@]host[:port], e.g. alice@build-box');
      return;
    }
    this.connectButton.disabled = true;
    this.status.textContent = `Connecting to ${host} over ssh… (the first time, CoreScope is sent there: a few seconds)`;
    try {
      const m = await this.actions.connect(host);
      this.status.textContent = `Connected to ${m.host}: ${machineSummary(m)}`;
      this.input.value = '';
      this.render(await this.actions.list().catch(() => [m, ...this.machines.filter((x) => x.host !== m.host)]));
    } catch (err) {
      this.status.textContent = '';
      const e = ApiError.from(err);
      // A host that does not parse names its field ("Machine: …"); one that cannot be reached names itself.
      this.showError(e.field === 'host' && /^host[:]/.test(e.message) ? atDoor(e.message, 'form') : `Could not connect to ${host}: ${e.message.replace(/^[^:]*: /, '')}`);
    } finally {
      this.connectButton.disabled = false;
    }
  }

  private async saveSession(host: string): Promise<void> {
    this.error.textContent = '';
    try {
      const saved = await this.actions.saveSession(host);
      this.status.textContent = saved ? `Saved ${host}'s session: ${saved}.` : 'Not saved.';
    } catch (err) {
      this.showError(`Could not save ${host}'s session: ${ApiError.from(err).message}`);
    }
  }

  /** A suite's progress or end, pushed by the engine. */
  onSuiteEvent(e: SuiteEvent): void {
    if (e.type === 'suite-progress') {
      this.suites.set(e.host, { going: true, text: `Suite: ${e.done} of ${e.total} runs done — ${e.line.trim()}` });
    } else {
      const what = `${e.runs} run(s), ${e.sweeps} sweep(s)${e.failed ? `, ${e.failed} failed` : ''}`;
      this.suites.set(e.host, { going: false, text: e.incomplete ? `Suite ended early: ${what} kept (${e.incomplete}). Save session keeps them.` : `Suite done: ${what}. Save session keeps them, with the sweeps.` });
      // The connection may be gone with it: the list says which machines are still connected.
      void this.load();
      return;
    }
    this.render(this.machines);
  }

  private async runSuite(host: string): Promise<void> {
    this.error.textContent = '';
    try {
      const { runs } = await this.actions.runSuite(host);
      this.suites.set(host, { going: true, text: `Suite: starting ${runs} runs on ${host}, one at a time…` });
      this.render(this.machines);
    } catch (err) {
      this.showError(`Could not start the suite on ${host}: ${ApiError.from(err).message.replace(/^host: /, '')}`);
    }
  }

  private async stopSuite(host: string): Promise<void> {
    try {
      await this.actions.stopSuite(host);
    } catch (err) {
      this.showError(`Could not stop the suite on ${host}: ${ApiError.from(err).message.replace(/^host: /, '')}`);
    }
  }

  private showError(message: string): void {
    this.error.textContent = message;
    this.input.setAttribute('aria-invalid', 'true');
  }

  private render(machines: MachineEntry[]): void {
    this.machines = machines;
    clear(this.listEl);
    for (const m of machines) {
      const suite = this.suites.get(m.host);
      const actions = m.connected
        ? [
            suite?.going
              ? h('button', { type: 'button', class: 'small', 'data-testid': 'machine-stop-suite', title: `Stop the suite on ${m.host}: the run going there is cancelled, what finished is kept`, onclick: () => void this.stopSuite(m.host) }, 'Stop suite')
              : h('button', { type: 'button', class: 'small', 'data-testid': 'machine-run-suite', title: `Run the standard suite on ${m.host}: every scenario at its defaults, then sweeps of the CPU-bound ones up to its core count (minutes; one run at a time there)`, onclick: () => void this.runSuite(m.host) }, 'Run suite'),
            h('button', { type: 'button', class: 'small', 'data-testid': 'machine-save-session', title: `Save ${m.host}'s session: the runs made there, with its hardware (and the suite's sweeps)`, onclick: () => void this.saveSession(m.host) }, 'Save session'),
          ]
        : [
            // A suite that ended with the connection is still saved from here.
            ...(suite && !suite.going ? [h('button', { type: 'button', class: 'small', 'data-testid': 'machine-save-session', title: `Save what the suite recorded on ${m.host}, with its hardware`, onclick: () => void this.saveSession(m.host) }, 'Save session')] : []),
            h('button', { type: 'button', class: 'small', title: `Connect to ${m.host} again`, onclick: () => void this.connect(m.host) }, 'Connect'),
          ];
      this.listEl.append(
        h(
          'li',
          { class: m.connected ? 'connected' : '', 'data-testid': 'machine-row', 'data-host': m.host },
          h('span', { class: 'machine-host' }, m.host),
          h('span', { class: 'machine-profile' }, machineSummary(m)),
          h('span', { class: 'machine-actions' }, ...actions),
          suite ? h('span', { class: `machine-suite${suite.going ? ' going' : ''}`, 'data-testid': 'machine-suite', 'aria-live': 'polite' }, suite.text) : '',
        ),
      );
    }
    this.actions.changed(machines.filter((m) => m.connected));
  }
}
