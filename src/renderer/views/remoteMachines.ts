// The Machines place (issue #18): other machines, reached over the system's ssh with the user's
// own config, keys and agent. Add one by [user@]host[:port] (connecting sends CoreScope there the
// first time), see its profile, and pick it under "Run on" to run a scenario or a command there,
// live. Machines used before are listed (the engine remembers them); a click connects again.
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

  private showError(message: string): void {
    this.error.textContent = message;
    this.input.setAttribute('aria-invalid', 'true');
  }

  private render(machines: MachineEntry[]): void {
    this.machines = machines;
    clear(this.listEl);
    for (const m of machines) {
      this.listEl.append(
        h(
          'li',
          { class: m.connected ? 'connected' : '', 'data-testid': 'machine-row', 'data-host': m.host },
          h('span', { class: 'machine-host' }, m.host),
          h('span', { class: 'machine-profile' }, machineSummary(m)),
          m.connected
            ? h('button', { type: 'button', class: 'small', 'data-testid': 'machine-save-session', title: `Save ${m.host}'s session: the runs made there, with its hardware`, onclick: () => void this.saveSession(m.host) }, 'Save session')
            : h('button', { type: 'button', class: 'small', title: `Connect to ${m.host} again`, onclick: () => void this.connect(m.host) }, 'Connect'),
        ),
      );
    }
    this.actions.changed(machines.filter((m) => m.connected));
  }
}
