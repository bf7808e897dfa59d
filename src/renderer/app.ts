// Wires the panels to the API: pick a scenario, run it, stream its batches into the charts,
// and file the finished record in the results table. All engine access goes through `api`.
import type { CoreScopeApi, EngineEvent, RunRequest } from '../shared/api';
import type { ScenarioInfo } from '../shared/model';
import type { RunRecord, SystemInfo } from '../shared/types';
import { liveWindow } from './charts/layout';
import { canvasToPng } from './export/canvasPng';
import { isPngScale, PNG_SCALES, type PngScale } from './charts/pngScale';
import { samplesToCsv } from '../shared/samplesCsv';
import { saveAs } from './export/saveAs';
import { SeriesStore } from './state/seriesStore';
import { ApiError } from './transport/apiError';
import { ATTACH_ENTRY } from './views/attachList';
import type { Transport } from './transport/pickTransport';
import { h } from './util/dom';
import type { CompareView } from './views/compareView';
import { ErrorBanner } from './views/errorBanner';
import { LiveCards } from './views/liveCards';
import { ParamForm } from './views/paramForm';
import { PresetBar, type PresetRun } from './views/presetBar';
import { ResultsTable, type RunEntry } from './views/resultsTable';
import type { RunCharts, ChartExport } from './views/runCharts';
import type { LazyViews } from './views/lazyViews';
import { Later } from './util/later';
import { ScenarioPicker } from './views/scenarioPicker';
import { VerdictPanel } from './views/verdictPanel';
import { whyNoStacks } from './views/whichCode';
import { SessionController } from './sessionController';
import { atDoor } from '../shared/fieldNames';
import { runSucceeded } from '../shared/runOutcome';
import { exitText, failedOnItsOwn } from './views/exitText';
import { verdictName } from './views/kindNames';
import { ShownRun } from './views/shownRun';
import { RemoteMachines } from './views/remoteMachines';
import { keepFile } from './session/transfer';
import type { MachineEntry } from '../shared/model';

const PNG_SCALE_KEY = 'corescope.pngScale';

interface LiveRun {
  runId: string;
  title: string;
  /** The machine it runs on, when not this one. */
  on?: string;
  store: SeriesStore;
  finished: Promise<RunEntry | null>;
  settle: (entry: RunEntry | null) => void;
}

export class App {
  private readonly api: CoreScopeApi;
  private info: SystemInfo | null = null;
  private scenarios: ScenarioInfo[] = [];
  private scenario: ScenarioInfo | null = null;
  private live: LiveRun | null = null;
  private starting = false;
  private connected = true;
  private formValid = false;
  private shown: RunEntry | null = null;
  private frameRequested = false;

  private readonly banner = new ErrorBanner();
  private readonly picker = new ScenarioPicker((s, byUser) => this.selectScenario(s, byUser));
  private readonly form = new ParamForm(
    (valid, problem) => {
      this.formValid = valid;
      this.formHint.textContent = valid ? '' : (problem ?? '');
      this.updateButtons();
    },
    () => void this.run(),
  );
  /** Why Run is disabled, in muted words by the button (the fields show theirs once typed in). */
  private readonly formHint = h('span', { class: 'form-hint', 'data-testid': 'form-hint' });
  private readonly shownRun = new ShownRun();
  private readonly cards = new LiveCards();
  /** Chart.js and the views drawn with it load once the page is usable (loadViews). */
  private readonly charts = new Later<RunCharts>();
  /** A stretch picked in the verdict panel (a finding's or a phase's span) is selected in the charts, its code shown under the lanes. */
  private readonly verdict = new VerdictPanel((fromMs, toMs) =>
    this.charts.use((c) => {
      c.select({ fromMs, toMs });
      c.revealSelection();
    }),
  );
  private readonly results = new ResultsTable(
    (e) => this.showRecord(e),
    (entries) => this.compare.use((c) => c.show(entries)),
  );
  private readonly compare = new Later<CompareView>();
  private readonly presets = new PresetBar((preset) => this.runPreset(preset));
  private readonly runButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'run-button', disabled: true, onclick: () => void this.run() }, 'Run');
  private readonly cancelButton = h('button', { type: 'button', 'data-testid': 'cancel-button', disabled: true, onclick: () => void this.cancel() }, 'Cancel');
  private readonly csvButton = h('button', { type: 'button', class: 'small', 'data-testid': 'export-csv', disabled: true, onclick: () => void this.exportRecord('csv') }, 'Samples CSV');
  /** Chosen once for every PNG button (slides want 2× or more); remembered across restarts. */
  private readonly pngScaleSelect = h(
    'select',
    { 'data-testid': 'png-scale', title: 'Resolution of exported chart PNGs: device pixels per screen pixel', onchange: () => this.rememberPngScale() },
    ...PNG_SCALES.map((s) => h('option', { value: String(s) }, `${s}×`)),
  ) as HTMLSelectElement;
  private readonly jsonButton = h('button', { type: 'button', class: 'small', 'data-testid': 'export-json', disabled: true, onclick: () => void this.exportRecord('json') }, 'Run JSON');
  private readonly status = h('div', { class: 'status', 'data-testid': 'run-status', 'aria-live': 'polite' });
  private readonly titleEl = h('h2', { 'data-testid': 'scenario-title' }, 'Pick a scenario');
  private readonly explanation = h('p', { class: 'explanation', 'data-testid': 'scenario-explanation' });
  private readonly machine = h('div', { class: 'machine', 'data-testid': 'machine' });
  /** Other machines over ssh (issue #18), where the engine can reach them. */
  private readonly machinesPlace: RemoteMachines | null;
  /** Run on: this machine, or a connected one (shown once one is connected). */
  private readonly runOnSelect = h('select', { 'data-testid': 'run-on', 'aria-label': 'Run on' }, h('option', { value: '' }, 'this machine')) as HTMLSelectElement;
  private readonly runOn = h('label', { class: 'run-on', hidden: true }, 'Run on ', this.runOnSelect);
  private readonly sessions: SessionController;

  constructor(private readonly transport: Transport) {
    this.api = transport.api;
    this.runOnSelect.addEventListener('change', () => this.form.machineChanged());
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(PNG_SCALE_KEY);
    } catch {
      stored = null;
    }
    this.pngScaleSelect.value = isPngScale(Number(stored)) ? String(stored) : '2';
    const { connectMachine, listMachines, exportMachineSession, runSuite, stopSuite } = this.api;
    this.machinesPlace =
      connectMachine && listMachines && exportMachineSession && runSuite && stopSuite
        ? new RemoteMachines({
            connect: (host) => connectMachine(host),
            list: () => listMachines(),
            changed: (connected) => this.setMachines(connected),
            saveSession: async (host) => keepFile(this.api, await exportMachineSession(host, 'session-gz')),
            runSuite: (host) => runSuite(host),
            stopSuite: (host) => stopSuite(host),
          })
        : null;
    this.sessions = new SessionController({
      api: this.api,
      banner: this.banner,
      info: () => this.info,
      scenarios: () => this.scenarios,
      scenario: () => this.scenario,
      request: () => this.form.request(),
      run: (request) => this.run(request),
      cancel: () => this.cancel(),
      entries: () => this.results.all(),
      addEntry: (entry) => this.results.add(entry),
      shownRunId: () => this.shown?.record.result.runId ?? null,
      exportPng: (c) => void this.exportPng(c),
    });
  }

  mount(root: HTMLElement): void {
    root.replaceChildren(
      // The scenario list is ~20 Tab stops: a keyboard user may go straight to the form.
      h('a', { class: 'skip-link', href: '#run-form', 'data-testid': 'skip-to-form', onclick: (e: Event) => { e.preventDefault(); this.form.focusFirst(); } }, 'Skip to the run form'),
      h('header', { class: 'top' }, h('h1', {}, 'CoreScope'), h('span', { class: 'tagline' }, 'concurrency vs parallelism, core by core'), this.machine),
      h(
        'div',
        { class: 'layout' },
        h('aside', { class: 'sidebar' }, this.picker.el, this.presets.el, this.machinesPlace?.el),
        h(
          'main',
          {},
          this.banner.el,
          this.sessions.bar.el,
          h(
            'section',
            { class: 'scenario-panel', id: 'run-form', 'data-testid': 'scenario-panel' },
            this.titleEl,
            this.explanation,
            this.form.el,
            h('div', { class: 'actions' }, this.runOn, this.runButton, this.cancelButton, this.formHint, this.status),
            this.sessions.sweepControls.el,
          ),
          this.shownRun.el,
          this.cards.el,
          this.verdict.el,
          h('div', { class: 'exports' }, 'Export this run: ', this.csvButton, this.jsonButton, h('label', { class: 'png-scale' }, 'Chart PNGs at ', this.pngScaleSelect)),
          this.charts.el,
          this.compare.el,
          this.sessions.sweepView.el,
          this.sessions.machines.el,
          this.results.el,
        ),
      ),
    );
    this.cards.update(null);
    this.api.onEvent((e) => this.onEvent(e));
    this.transport.onConnectionLost((reason) => {
      this.connected = false;
      this.banner.show('Connection to the engine lost', new ApiError({ code: 'connection-lost', message: reason }));
      this.status.textContent = 'Disconnected.';
      this.live?.settle(null);
      this.live = null;
      this.updateButtons();
    });
  }

  /**
   * The page is usable as soon as the scenarios are here (instant): the machine's profile and the
   * interpreters (seconds: every python on PATH is started once, pyenv shims included; cached by
   * the engine for its life) fill in when the engine has them. A run started before then needs none of it: the engine picks its
   * interpreter itself.
   */
  async load(): Promise<void> {
    // The last session's autosave is asked for with the scenarios (two round trips at once), and
    // filed when it arrives: the page does not wait for it (a long session takes a while).
    const autosave = this.sessions.askAutosave();
    try {
      const scenarios = await this.api.listScenarios();
      this.scenarios = scenarios;
      // The attach picker sits with the Custom entry: a way to pick a running program, not a scenario.
      this.picker.show([...scenarios, ATTACH_ENTRY]);
      // The programs of the machine chosen under Run on: attaching there is a run there.
      this.form.setProcessLister(() => this.api.listProcesses(this.runOnHost()), () => (this.runOnHost() ? `on ${this.runOnHost()}` : 'on this machine'));
      this.presets.show(scenarios);
      const first = scenarios.find((s) => s.runtime === 'python') ?? scenarios[0];
      if (first) this.picker.select(first, false);
      void this.sessions.restore(autosave);
      void this.machinesPlace?.load();
    } catch (err) {
      this.banner.show('Could not talk to the engine', ApiError.from(err));
    }
    // The charts' code (Chart.js, the session schema) is more than half the script: it loads now,
    // after the picker and the form, and each chart is made when it arrives.
    this.views = this.loadViews();
    // The machine's profile is asked only then: the engine's probing starts processes, and each
    // start holds its event loop (which also serves the charts' code) for a moment; the page is
    // already usable by then. Kept, not awaited.
    this.machine.textContent = 'Looking at this machine and its interpreters…';
    document.body.dataset.runtimes = 'loading';
    this.infoLoaded = this.views.then(
      () => this.loadInfo(),
      () => this.loadInfo(),
    );
  }

  /** Resolves with the charts' code once it has loaded and the charts are made. */
  views: Promise<LazyViews> = new Promise(() => undefined);

  private async loadViews(): Promise<LazyViews> {
    try {
      const views = await import('./views/lazyViews');
      this.charts.arrive(new views.RunCharts((c) => void this.exportPng(c)));
      this.compare.arrive(new views.CompareView((c) => void this.exportPng(c)));
      this.sessions.viewsLoaded(views);
      // Empty axes until a run: what was asked of the charts meanwhile is done by now.
      if (this.live) this.scheduleFrame();
      else if (!this.shown) this.charts.use((c) => c.render(new SeriesStore(1), liveWindow(0, 0)));
      document.body.dataset.views = 'ready';
      return views;
    } catch (err) {
      this.banner.show('The charts could not be loaded', ApiError.from(err));
      throw err;
    }
  }

  /** Resolves when the machine's profile and runtimes have arrived (or failed). */
  infoLoaded: Promise<void> = Promise.resolve();

  private async loadInfo(): Promise<void> {
    try {
      const info = await this.api.info();
      this.info = info;
      const cpu = info.hardware.cpu;
      this.machine.textContent = `${cpu.brand || 'CPU'} · ${cpu.logicalCores} logical cores · ${this.transport.kind === 'electron' ? 'desktop app' : 'browser'}`;
      this.form.setRuntimes(info.runtimes);
      if (this.scenario) this.sessions.selectScenario(this.scenario);
      const python = info.runtimes.filter((r) => r.kind === 'python').length;
      if (!python && info.runtimes.length > 0) {
        this.banner.show('No Python found', { code: 'internal', message: 'No python3 interpreter was found on this machine; the Python scenarios cannot run.' });
      }
      document.body.dataset.runtimes = 'ready';
    } catch (err) {
      this.machine.textContent = 'Machine profile unavailable';
      document.body.dataset.runtimes = 'error';
      this.banner.show('Could not read this machine’s profile', ApiError.from(err));
    }
  }

  /** The Run on choice: this machine and every connected one (kept when still connected). */
  private setMachines(connected: MachineEntry[]): void {
    const chosen = this.runOnSelect.value;
    this.runOnSelect.replaceChildren(h('option', { value: '' }, 'this machine'), ...connected.map((m) => h('option', { value: m.host }, m.host)));
    this.runOnSelect.value = connected.some((m) => m.host === chosen) ? chosen : '';
    this.runOn.hidden = connected.length === 0;
    if (this.runOnSelect.value !== chosen) this.form.machineChanged();
  }

  /** The machine chosen under Run on; undefined for this one. */
  private runOnHost(): string | undefined {
    return (!this.runOn.hidden && this.runOnSelect.value) || undefined;
  }

  private selectScenario(s: ScenarioInfo, byUser = true): void {
    this.scenario = s;
    this.runOn.hidden = this.runOnSelect.options.length <= 1;
    this.titleEl.textContent = s.title;
    this.explanation.textContent = s.explanation;
    this.form.show(s, this.info?.runtimes ?? []);
    this.sessions.selectScenario(s);
    this.nameShownRun();
    if (byUser) this.form.focusFirst();
  }

  private nameShownRun(): void {
    if (this.live) this.shownRun.live(this.live.runId, this.live.title);
    else this.shownRun.finished(this.shown, this.scenario);
  }

  private updateButtons(): void {
    const busy = this.live !== null || this.starting;
    this.runButton.disabled = !this.connected || busy || !this.formValid;
    this.cancelButton.disabled = !this.connected || this.live === null;
    this.csvButton.disabled = this.jsonButton.disabled = !this.shown;
  }

  private titleFor(req: RunRequest): string {
    if (req.on) return `${this.titleFor({ ...req, on: undefined })} on ${req.on}`;
    if (req.kind === 'command') return `custom: ${req.cmd.length > 40 ? `${req.cmd.slice(0, 39)}…` : req.cmd}`;
    if (req.kind === 'attach') return `attached: pid ${req.pid}`;
    const s = this.scenarios.find((x) => x.id === req.scenario);
    const tasks = req.params.tasks ?? req.params.workers ?? req.params.threads;
    return `${s?.title ?? req.scenario}${tasks !== undefined ? ` ×${tasks}` : ''}`;
  }

  /** Starts a run and resolves with its entry when it finishes (null when it failed). */
  async run(request?: RunRequest, title?: string): Promise<RunEntry | null> {
    if (!request && !this.form.attempt()) return null;
    const formReq = request ?? this.form.request();
    // Run on another machine: what the form asks, there (the sweeps and presets stay here, where their session is).
    const on = request ? undefined : this.runOnHost();
    // The interpreters listed are this machine's: there, the engine picks its own.
    const req = formReq && on ? (formReq.kind === 'scenario' ? { ...formReq, on, python: undefined, node: undefined } : { ...formReq, on }) : formReq;
    if (!req || this.live || this.starting) return null;
    this.banner.hide();
    this.compare.use((c) => c.show([]));
    this.starting = true;
    this.updateButtons();
    this.status.textContent = 'Starting…';
    try {
      const { runId } = await this.api.startRun(req);
      const live = this.adoptRun(runId, title ? `${title}${this.titleFor(req).match(/ ×\S+$/)?.[0] ?? ''}` : this.titleFor(req), req.on);
      return await live.finished;
    } catch (e) {
      const err = ApiError.from(e);
      if (err.field) this.form.showErrors([{ field: err.field, message: err.message }]);
      // The engine names fields as the API does; the banner, like the form, uses the form's labels.
      this.banner.show('The run could not start', err.field ? new ApiError({ code: err.code, field: err.field, message: atDoor(err.message, 'form', req.kind === 'scenario' ? req.scenario : undefined) }) : err);
      this.status.textContent = '';
      return null;
    } finally {
      this.starting = false;
      this.updateButtons();
    }
  }

  private adoptRun(runId: string, title: string, on?: string): LiveRun {
    if (this.live?.runId === runId) {
      this.live.title = title;
      return this.live;
    }
    let settle!: (entry: RunEntry | null) => void;
    const finished = new Promise<RunEntry | null>((r) => (settle = r));
    this.live = { runId, title, on, store: new SeriesStore(), finished, settle };
    this.shown = null;
    this.verdict.show(null);
    this.cards.update(null);
    this.results.highlight(null);
    this.charts.use((c) => {
      c.setTitle(`Per-core utilisation — ${title} (live)`, title);
      // Stack samples arrive with the finished record only.
      c.setStacks(null, null, null);
    });
    this.status.textContent = `Running ${title}…`;
    this.nameShownRun();
    this.scheduleFrame();
    this.updateButtons();
    return this.live;
  }

  async cancel(): Promise<void> {
    if (!this.live) return;
    this.status.textContent = 'Cancelling…';
    try {
      await this.api.cancelRun(this.live.runId);
    } catch (e) {
      this.banner.show('Could not cancel the run', ApiError.from(e));
    }
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'run-started':
        if (!this.live) this.adoptRun(event.runId, this.titleFor(event.request), event.request.on);
        break;
      case 'live': {
        if (!this.live && !this.starting) this.adoptRun(event.batch.runId, event.batch.runId);
        if (this.live?.runId !== event.batch.runId) return;
        this.live.store.addBatch(event.batch);
        this.cards.update(event.batch.live);
        this.status.textContent = `Running ${this.live.title}… ${(event.batch.live.wallMs / 1000).toFixed(1)} s`;
        this.scheduleFrame();
        break;
      }
      case 'run-finished':
        if (this.live?.runId === event.runId) void this.finish(this.live);
        break;
      case 'suite-progress':
      case 'suite-finished':
        this.machinesPlace?.onSuiteEvent(event);
        break;
      case 'run-failed':
        if (this.live?.runId === event.runId) {
          this.banner.show('The run failed', new ApiError({ code: 'run-failed', message: event.error }));
          this.status.textContent = 'Failed.';
          this.live.settle(null);
          this.live = null;
          this.updateButtons();
        }
        break;
    }
  }

  private async finish(live: LiveRun): Promise<void> {
    let entry: RunEntry | null = null;
    try {
      const record: RunRecord = await this.api.getRun(live.runId);
      entry = { record, title: live.title, ...(live.on ? { on: live.on } : {}) };
      if (this.live === live) this.live = null;
      this.results.add(entry);
      this.sessions.runAdded();
      this.showRecord(entry);
      const exit = record.result.exit;
      const failed = failedOnItsOwn(record.result);
      if (exit.reason === 'timeout') this.banner.show('The run timed out', { code: 'run-failed', message: `Stopped after ${record.result.params.timeoutS} s.` });
      else if (failed || (exit.reason === 'exited' && !runSucceeded(record.result)))
        this.banner.show('The workload failed', { code: 'run-failed', message: `It ended with ${exitText(record.result)}; the end of its stderr is in the Verdict panel below.` });
      else if (exit.reason === 'engine-error') this.banner.show('The profiler failed during the run', { code: 'internal', message: record.result.warnings.join(' ') || 'engine error' });
      else if (exit.reason === 'connection-lost') {
        this.banner.show(`The connection to ${live.on ?? 'the machine'} was lost`, { code: 'run-failed', message: record.result.warnings[0] ?? '' });
        // The machine is no longer connected: its row and the Run on choice say so.
        void this.machinesPlace?.load();
      }
      this.status.textContent = exit.reason === 'cancelled' ? 'Cancelled.' : exit.reason === 'connection-lost' ? 'Connection lost: what reached this machine is kept, marked incomplete.' : failed ? `Failed: ${exitText(record.result)} after ${(record.result.wallMs / 1000).toFixed(2)} s.` : `Finished: ${verdictName(record.result.verdict.kind)}.`;
      this.status.dataset.outcome = failed ? 'failed' : exit.reason;
      if (failed) this.verdict.el.scrollIntoView({ behavior: 'instant', block: 'nearest' });
    } catch (e) {
      this.banner.show('Could not fetch the finished run', ApiError.from(e));
    } finally {
      if (this.live === live) this.live = null;
      live.settle(entry);
      this.updateButtons();
    }
  }

  private showRecord(entry: RunEntry): void {
    if (this.live) return;
    this.shown = entry;
    const { record } = entry;
    const store = SeriesStore.fromSamples(record.samples, record.events, record.result.windows, record.result.phases ?? []);
    this.charts.use((c) => {
      c.setTitle(`Per-core utilisation — ${entry.title}`, entry.title);
      c.setStacks(record.stacks, record.samples, whyNoStacks(record));
      // A finished run fills the width: its whole length is known.
      c.render(store, { fromMs: 0, toMs: Math.max(1000, record.result.wallMs) }, record.samples.processes, record.result.verdict);
    });
    const r = record.result;
    this.cards.update({ wallMs: r.wallMs, cpuMs: r.cpu.totalMs, parallelism: r.parallelism, tasksInFlight: r.peakConcurrency ?? undefined, lastLagMs: r.lag?.maxMs ?? null });
    this.verdict.show(record, entry.title);
    this.results.highlight(r.runId);
    this.nameShownRun();
    this.updateButtons();
  }

  private scheduleFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      const live = this.live;
      // Before the charts' code is here, loadViews asks for a frame when it arrives.
      const charts = this.charts.view;
      if (!live || !charts) return;
      // Until the ring wraps, the axis starts at 0; after, it scrolls with the history window.
      const from = live.store.first === 0 ? 0 : live.store.t[live.store.slot(live.store.first)];
      charts.renderLive(live.store, liveWindow(live.store.lastT(), from));
    });
  }

  private async exportPng(chart: ChartExport): Promise<void> {
    try {
      const { atScale } = await this.views;
      const scale = this.pngScale();
      const canvas = chart.canvas();
      const bytes = await atScale(canvas, scale, chart.redraw, () => canvasToPng(canvas, chart.title, chart.legend));
      const base = this.shown ? `${this.shown.record.result.scenario ?? 'run'}-${this.shown.record.result.runId}` : 'corescope';
      await saveAs(this.api, `${base}-${chart.id}.png`.replace(/[^\w.-]+/g, '_'), bytes, 'image/png');
    } catch (e) {
      this.banner.show('Export failed', ApiError.from(e));
    }
  }

  private pngScale(): PngScale {
    const chosen = Number(this.pngScaleSelect.value);
    return isPngScale(chosen) ? chosen : 2;
  }

  private rememberPngScale(): void {
    try {
      localStorage.setItem(PNG_SCALE_KEY, String(this.pngScale()));
    } catch {
      // storage unavailable (private mode): the choice lasts for this window only
    }
  }

  private async exportRecord(kind: 'csv' | 'json'): Promise<void> {
    if (!this.shown) return;
    const { record } = this.shown;
    const base = `${record.result.scenario ?? 'run'}-${record.result.runId}`.replace(/[^\w.-]+/g, '_');
    try {
      if (kind === 'csv') await saveAs(this.api, `${base}-samples.csv`, samplesToCsv(record.samples, record.result.phases), 'text/csv');
      else await saveAs(this.api, `${base}.json`, JSON.stringify(record, null, 1), 'application/json');
    } catch (e) {
      this.banner.show('Export failed', ApiError.from(e));
    }
  }

  /** Runs each side of a comparison in turn, then shows them side by side. */
  private async runPreset(preset: PresetRun): Promise<void> {
    const entries: RunEntry[] = [];
    for (const { request, label } of preset.runs) {
      // Go through the form so the runtime choice and limits apply and the user sees what runs.
      const s = this.scenarios.find((x) => request.kind === 'scenario' && x.id === request.scenario);
      if (s) {
        this.picker.select(s);
        if (request.kind === 'scenario') this.form.setParams(request.params);
      }
      const entry = await this.run(this.form.request() ?? request, label);
      if (!entry) return;
      entries.push(entry);
    }
    this.results.selectOnly(entries.map((e) => e.record.result.runId));
    this.compare.use((c) => {
      c.show(entries, preset.title);
      c.el.scrollIntoView({ behavior: 'instant', block: 'start' });
    });
  }
}
