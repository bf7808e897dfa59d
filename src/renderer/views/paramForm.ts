// The parameter form of the selected scenario, validated as the user types with the same
// validator the engine uses: errors appear next to their field and Run stays disabled until
// the form is valid, so a bad value never starts a workload. A field shows its error once it
// has been typed in (or a run was asked for): an empty Custom form is unfinished, not wrong,
// and says so as a hint by the Run button. Enter in any field runs. An error inside the folded
// "Advanced" section unfolds it: a disabled Run button with its reason out of sight explains
// nothing.
import type { RunRequest } from '../../shared/api';
import type { ParamValue, ScenarioInfo, ScenarioParamSpec } from '../../shared/model';
import type { RuntimeInfo } from '../../shared/types';
import { RATE_HZ, STACKS_HZ, TIMEOUT_S } from '../../shared/runLimits';
import { validateScenarioParams } from '../../shared/scenarioParams';
import { clear, h } from '../util/dom';
import { atDoor, fieldName } from '../../shared/fieldNames';
import type { RunningProcess } from '../../shared/model';
import { ATTACH_ENTRY, AttachList } from './attachList';

export interface FieldError {
  field: string;
  message: string;
}

export class ParamForm {
  readonly el = h('form', { class: 'param-form', 'data-testid': 'param-form', novalidate: true });
  private inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private errorEls = new Map<string, HTMLElement>();
  private runtimeSelect: HTMLSelectElement | null = null;
  private scenario: ScenarioInfo | null = null;
  private valid = false;
  private readonly touched = new Set<string>();
  /** A run was asked for: every error shows, touched or not. */
  private attempted = false;
  private advanced: HTMLDetailsElement | null = null;
  /** The live process list, shown when the scenario is ATTACH_ENTRY. */
  private attachList: AttachList | null = null;
  private listProcesses: (() => Promise<RunningProcess[]>) | null = null;
  private processesWhere: () => string = () => '';

  /**
   * @param onValidity whether Run may go, and the first problem in words (for the hint by the button)
   * @param onSubmit Enter pressed in a field
   */
  constructor(
    private readonly onValidity: (valid: boolean, problem: string | null) => void,
    private readonly onSubmit: () => void = () => undefined,
  ) {
    this.el.addEventListener('submit', (e) => e.preventDefault());
    // A form of several text fields has no implicit submission; Enter runs all the same.
    this.el.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.isComposing || !(e.target instanceof HTMLInputElement)) return;
      e.preventDefault();
      this.attempted = true;
      if (this.validate()) this.onSubmit();
    });
  }

  /** Where the attach picker gets the running programs (the engine's listProcesses), and which machine's they are ("on lab"). */
  setProcessLister(list: () => Promise<RunningProcess[]>, where: () => string): void {
    this.listProcesses = list;
    this.processesWhere = where;
  }

  /** The machine to run on changed: a pid picked from the other machine's programs means nothing here. */
  machineChanged(): void {
    if (this.scenario?.id !== ATTACH_ENTRY.id || !this.attachList) return;
    const pid = this.inputs.get('pid') as HTMLInputElement | undefined;
    if (pid) pid.value = '';
    this.attachList.select(null);
    this.attachList.start();
  }

  show(scenario: ScenarioInfo, runtimes: RuntimeInfo[]): void {
    this.scenario = scenario;
    this.attachList?.stop();
    clear(this.el);
    this.inputs.clear();
    this.errorEls.clear();
    this.touched.clear();
    this.attempted = false;
    if (scenario.id === ATTACH_ENTRY.id) {
      const pid = h('input', { type: 'text', inputmode: 'numeric', name: 'pid', placeholder: 'pick one below, or type a pid', 'data-testid': 'attach-pid' });
      this.addField('pid', 'Process id', pid, 'The program and everything it starts is followed; it is never signalled.');
      this.attachList ??= new AttachList(() => (this.listProcesses ? this.listProcesses() : Promise.resolve([])), () => this.processesWhere(), (p) => {
        pid.value = String(p.pid);
        this.touched.add('pid');
        this.validate();
      });
      this.el.append(this.attachList.el);
      this.attachList.select(null);
      this.attachList.start();
    } else if (scenario.runtime === 'custom') {
      this.addField('cmd', 'Command line', h('input', { type: 'text', name: 'cmd', placeholder: 'python3 train.py', class: 'wide' }), 'Run by /bin/sh -c; its whole process tree is followed.');
      this.addField('cwd', 'Working directory', h('input', { type: 'text', name: 'cwd', placeholder: '(current directory)', class: 'wide' }), 'Optional.');
    }
    for (const spec of scenario.params) this.addField(spec.name, spec.label, this.inputFor(spec), spec.help, spec.unit);

    const kind = scenario.runtime === 'python' || scenario.runtime === 'node' ? scenario.runtime : null;
    this.runtimeSelect = null;
    if (kind) {
      const options = runtimes.filter((r) => r.kind === kind);
      const select = h('select', { name: '__runtime', 'data-testid': 'runtime-select' }, ...runtimeOptions(options));
      this.runtimeSelect = select;
      this.addField(kind, kind === 'python' ? 'Interpreter' : 'Runtime', select, kind === 'python' ? pythonHelp(options) : 'The node on PATH, or Electron’s own.');
    }
    const attach = scenario.id === ATTACH_ENTRY.id;
    const advanced = h('details', { class: 'advanced' }, h('summary', {}, attach ? 'Advanced: sampling rate, timeout' : 'Advanced: sampling rate, stack samples, timeout', h('span', { class: 'advanced-error', 'data-testid': 'advanced-error' })));
    this.advanced = advanced;
    this.el.append(advanced);
    const rate = h('input', { type: 'text', inputmode: 'numeric', name: 'rateHz', value: String(RATE_HZ.default) });
    const timeout = h('input', { type: 'text', inputmode: 'decimal', name: 'timeoutS', value: '120' });
    this.addField('rateHz', 'Sampling rate', rate, '/proc/stat counts in 10 ms ticks: above 100 Hz adds noise, not detail.', 'Hz', advanced);
    // An attached program was started without CoreScope's probes: it has no stacks to sample.
    if (!attach) {
      const stacks = h('input', { type: 'text', inputmode: 'numeric', name: 'stacksHz', value: String(STACKS_HZ.default), 'data-testid': 'stacks-hz' });
      this.addField('stacksHz', 'Stack samples', stacks, 'Per second, in each Python and Node.js thread of the program: which code ran, held the GIL or blocked the loop. 0 turns them off.', 'per s', advanced);
    }
    if (attach) {
      timeout.value = '600';
      this.addField('timeoutS', 'Watch for at most', timeout, 'Watching stops after this long, when the program exits, or when you press Cancel.', 's', advanced);
    } else {
      this.addField('timeoutS', 'Timeout', timeout, 'The run is stopped (and counted as timed out) after this long.', 's', advanced);
    }
    this.validate();
  }

  private inputFor(spec: ScenarioParamSpec): HTMLInputElement | HTMLSelectElement {
    if (spec.kind === 'enum') {
      const select = h('select', { name: spec.name });
      for (const choice of spec.choices ?? []) select.append(h('option', { value: choice, selected: choice === spec.default }, choice));
      return select;
    }
    if (spec.kind === 'bool') return h('input', { type: 'checkbox', name: spec.name, checked: spec.default === true });
    return h('input', {
      type: 'text',
      inputmode: spec.kind === 'int' ? 'numeric' : 'decimal',
      name: spec.name,
      value: String(spec.default),
      'data-min': spec.min,
      'data-max': spec.max,
    });
  }

  private addField(name: string, label: string, input: HTMLInputElement | HTMLSelectElement, help: string, unit?: string, parent: HTMLElement = this.el): void {
    const error = h('div', { class: 'field-error', 'data-error-for': name, role: 'alert' });
    input.id = `param-${name}`;
    const edited = () => {
      this.touched.add(name);
      this.validate();
    };
    input.addEventListener('input', edited);
    input.addEventListener('change', edited);
    parent.append(
      h(
        'div',
        { class: 'field', 'data-field': name },
        h('label', { for: input.id }, label),
        h('div', { class: 'field-input' }, input, unit ? h('span', { class: 'unit' }, unit) : null),
        help ? h('div', { class: 'help' }, help) : null,
        error,
      ),
    );
    this.inputs.set(name, input);
    this.errorEls.set(name, error);
  }

  /** Raw values as typed: numbers when they parse, else the text, so the validator can say why. */
  private rawParams(): Record<string, ParamValue> {
    const raw: Record<string, ParamValue> = {};
    for (const spec of this.scenario?.params ?? []) {
      const input = this.inputs.get(spec.name)!;
      if (input instanceof HTMLInputElement && input.type === 'checkbox') raw[spec.name] = input.checked;
      else if (spec.kind === 'int' || spec.kind === 'number') {
        const text = input.value.trim();
        const n = Number(text);
        raw[spec.name] = text !== '' && Number.isFinite(n) ? n : text;
      } else raw[spec.name] = input.value;
    }
    return raw;
  }

  private numberField(name: string, min: number, max: number, label: string): FieldError | null {
    const text = (this.inputs.get(name)?.value ?? '').trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) return { field: name, message: `${label} must be a number` };
    if (n < min || n > max) return { field: name, message: `${label} must be between ${min} and ${max}` };
    return null;
  }

  /** 0 (off) or a rate from STACKS_HZ.min to STACKS_HZ.max; null when fine or not shown. */
  private stacksField(): FieldError | null {
    const input = this.inputs.get('stacksHz');
    if (!input) return null;
    const text = input.value.trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || (n !== 0 && (n < STACKS_HZ.min || n > STACKS_HZ.max))) {
      return { field: 'stacksHz', message: `Stack samples must be 0 (off) or a number from ${STACKS_HZ.min} to ${STACKS_HZ.max} per second` };
    }
    return null;
  }

  validate(): boolean {
    const errors: FieldError[] = [];
    if (this.scenario) {
      if (this.scenario.id === ATTACH_ENTRY.id) {
        const pid = (this.inputs.get('pid')?.value ?? '').trim();
        if (!/^\d{1,7}$/.test(pid) || Number(pid) < 1 || Number(pid) > 4_194_304) errors.push({ field: 'pid', message: pid ? `Process id must be a whole number from 1 to 4194304 (got ${JSON.stringify(pid)})` : 'Pick a program to attach to' });
      } else if (this.scenario.runtime === 'custom') {
        if (!(this.inputs.get('cmd')?.value ?? '').trim()) errors.push({ field: 'cmd', message: 'Enter a command line to profile' });
      } else {
        const result = validateScenarioParams(this.scenario.id, this.rawParams());
        if (!result.ok) errors.push(...result.errors.map((e) => ({ field: e.field.replace(/^params\./, ''), message: e.message })));
      }
      const rate = this.numberField('rateHz', RATE_HZ.min, RATE_HZ.max, 'Sampling rate');
      if (rate) errors.push(rate);
      const timeout = this.numberField('timeoutS', TIMEOUT_S.min, TIMEOUT_S.max, 'Timeout');
      if (timeout) errors.push(timeout);
      const stacks = this.stacksField();
      if (stacks) errors.push(stacks);
    }
    this.showErrors(this.attempted ? errors : errors.filter((e) => this.touched.has(e.field)));
    this.valid = !!this.scenario && errors.length === 0;
    this.onValidity(this.valid, errors[0] ? atDoor(errors[0].message, 'form', this.scenario?.id) : null);
    return this.valid;
  }

  /** Marks every field as to be judged (a run was asked for) and validates. */
  attempt(): boolean {
    this.attempted = true;
    return this.validate();
  }

  /** Puts the keyboard in the first field (after a scenario was picked). */
  focusFirst(): void {
    this.el.querySelector<HTMLElement>('input, select')?.focus();
  }

  /** The interpreters found, arriving after the form was shown (the probe takes seconds): the choice is kept. */
  setRuntimes(runtimes: RuntimeInfo[]): void {
    const select = this.runtimeSelect;
    const kind = this.scenario?.runtime;
    if (!select || (kind !== 'python' && kind !== 'node')) return;
    const chosen = select.value;
    const options = runtimes.filter((r) => r.kind === kind);
    select.replaceChildren(...runtimeOptions(options));
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
    const help = select.closest('.field')?.querySelector('.help');
    if (help && kind === 'python') help.textContent = pythonHelp(options);
    select.dataset.runtimes = String(options.length);
  }

  /** Shows errors next to their fields; also used for errors the engine returns (e.g. `params.tasks`). */
  showErrors(errors: FieldError[]): void {
    for (const [name, el] of this.errorEls) {
      const mine = errors.filter((e) => e.field === name || e.field === `params.${name}`);
      // Messages name fields as the API does (`workMs must…`); the form says its own labels.
      el.textContent = mine.map((e) => atDoor(e.message, 'form', this.scenario?.id)).join('; ');
      el.closest('.field')?.classList.toggle('invalid', mine.length > 0);
    }
    // An error inside the folded section unfolds it, and its summary says so.
    if (this.advanced) {
      const inside = errors.filter((e) => e.field === 'rateHz' || e.field === 'timeoutS' || e.field === 'stacksHz');
      if (inside.length && !this.advanced.classList.contains('invalid')) this.advanced.open = true;
      this.advanced.classList.toggle('invalid', inside.length > 0);
      // Folded again by hand, the section still says what is wrong in it.
      this.advanced.querySelector('.advanced-error')!.textContent = inside.length ? ` — ${inside.map((e) => atDoor(e.message, 'form', this.scenario?.id)).join('; ')}` : '';
    }
    const unplaced = errors.filter((e) => !this.errorEls.has(e.field.replace(/^params\./, '')));
    if (unplaced.length && this.errorEls.size) {
      // An error about a field this form does not show still must be seen: put it on the first field.
      const first = [...this.errorEls.values()][0];
      first.textContent = [first.textContent, ...unplaced.map((e) => `${fieldName(e.field, 'form', this.scenario?.id)}: ${atDoor(e.message, 'form', this.scenario?.id)}`)].filter(Boolean).join('; ');
    }
  }

  request(): RunRequest | null {
    if (!this.scenario || !this.validate()) return null;
    const rateHz = Number(this.inputs.get('rateHz')!.value);
    const timeoutS = Number(this.inputs.get('timeoutS')!.value);
    if (this.scenario.id === ATTACH_ENTRY.id) return { kind: 'attach', pid: Number(this.inputs.get('pid')!.value.trim()), rateHz, timeoutS };
    const stacksHz = Number(this.inputs.get('stacksHz')!.value.trim());
    if (this.scenario.runtime === 'custom') {
      const cwd = this.inputs.get('cwd')!.value.trim();
      return { kind: 'command', cmd: this.inputs.get('cmd')!.value.trim(), ...(cwd ? { cwd } : {}), rateHz, timeoutS, stacksHz };
    }
    const result = validateScenarioParams(this.scenario.id, this.rawParams());
    if (!result.ok) return null;
    const runtime = this.runtimeSelect?.value;
    const req: RunRequest = { kind: 'scenario', scenario: this.scenario.id, params: result.params as Record<string, ParamValue>, rateHz, timeoutS, stacksHz };
    if (runtime && this.scenario.runtime === 'python') req.python = runtime;
    if (runtime && this.scenario.runtime === 'node') req.node = runtime;
    return req;
  }

  /** Sets values programmatically (comparison presets), then revalidates. */
  setParams(params: Record<string, ParamValue>): void {
    for (const [name, value] of Object.entries(params)) {
      const input = this.inputs.get(name);
      if (!input) continue;
      if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === true;
      else input.value = String(value);
    }
    this.validate();
  }
}

function runtimeOptions(options: RuntimeInfo[]): HTMLOptionElement[] {
  // The engine picks a default interpreter itself when the request names none.
  const first = h('option', { value: '' }, options.length ? `default (${options[0].implementation} ${options[0].version})` : 'default (found by the engine)');
  return [
    first,
    ...options.map((r) => {
      const gil = r.kind === 'python' && r.freeThreadedBuild ? (r.gilEnabled ? ', GIL on' : ', free-threaded') : '';
      return h('option', { value: r.path }, `${r.implementation} ${r.version} (${r.path}${gil})`);
    }),
  ];
}

/** Says plainly whether a GIL-free Python is here to compare with, rather than leaving it to guesswork. */
function pythonHelp(options: RuntimeInfo[]): string {
  const free = options.filter((r) => r.freeThreadedBuild && r.gilEnabled === false);
  if (free.length) return `CPython, PyPy or a free-threaded build. ${free.map((r) => `${r.path} runs without the GIL`).join('; ')}: choose it to see the threads scenarios without the lock.`;
  return 'CPython or PyPy, where installed. No free-threaded Python (such as python3.13t) was found on this machine, so every Python thread here runs under the GIL.';
}
