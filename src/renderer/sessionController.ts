// Sessions and sweeps in the app, wired to the API. The current session is the engine's (every
// run it finished, the sweeps the app told it about by run id): the page asks it to autosave,
// save or export, and the engine writes (Electron) or hands over the file to download (a
// browser) — the session never travels from the page to the engine. Session files the user opens
// are uploaded as they are, into the machines comparison; sweeps run one after another, cancellable.
import type { CoreScopeApi, RunRequest, SessionExportFormat } from '../shared/api';
import type { ScenarioInfo } from '../shared/model';
import type { LabelledSession } from '../shared/sessionCompare';
import type { SweepResult } from '../shared/sweep';
import type { RunRecord, SystemInfo } from '../shared/types';
import { planSweep, runTitle, sweepFromRuns, sweepRef, type SweepStep } from './session/sessionData';
import { fileBytes, keepFile, uploadBytes } from './session/transfer';
import { ApiError } from './transport/apiError';
import type { ErrorBanner } from './views/errorBanner';
import type { LazyViews } from './views/lazyViews';
import type { MachinesView } from './views/machinesView';
import type { RunEntry } from './views/resultsTable';
import type { ChartExport } from './views/runCharts';
import { SessionBar } from './views/sessionBar';
import { SweepControls } from './views/sweepControls';
import type { SweepView } from './views/sweepPanel';
import { Later } from './util/later';
import './sessions.css';

/** What the controller needs of the App (closures over its private state). */
export interface AppHooks {
  api: CoreScopeApi;
  banner: ErrorBanner;
  info(): SystemInfo | null;
  scenarios(): ScenarioInfo[];
  scenario(): ScenarioInfo | null;
  request(): RunRequest | null;
  /** Runs one request through the normal run path (live view, results table). */
  run(request: RunRequest): Promise<RunEntry | null>;
  cancel(): Promise<void>;
  /** The results table's entries, newest first. */
  entries(): RunEntry[];
  addEntry(entry: RunEntry): void;
  shownRunId(): string | null;
  exportPng(chart: ChartExport): void;
}

export class SessionController {
  readonly bar: SessionBar;
  readonly sweepControls: SweepControls;
  /** Drawn with Chart.js: made when the charts' code has loaded (viewsLoaded). */
  readonly sweepView = new Later<SweepView>();
  readonly machines = new Later<MachinesView>();
  private sweeps: SweepResult[] = [];
  private opened: LabelledSession[] = [];
  /** The file each opened session came from, for the comparison report (uploaded again as it is). */
  private openedFiles: Blob[] = [];
  private sweeping: { stopped: boolean } | null = null;
  /** No autosave until the last one was restored: an empty page must not overwrite it. */
  private restored = false;
  private runsBeforeRestore = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> | null = null;
  private dirty = false;

  constructor(private readonly app: AppHooks) {
    this.bar = new SessionBar({ save: (f) => void this.save(f), open: (files) => void this.open(files), exportAs: (f) => void this.exportAs(f) });
    this.sweepControls = new SweepControls(() => void this.sweep(), () => void this.stopSweep());
    const supported = !!(app.api.uploadPart && app.api.loadSession && app.api.exportSession && app.api.autosave && app.api.restoreAutosave);
    this.bar.setSupported(supported);
  }

  /** The charts' code is here: the sweep and machines views are made (and do what was asked of them). */
  viewsLoaded(views: LazyViews): void {
    const app = this.app;
    this.sweepView.arrive(new views.SweepView((c) => app.exportPng(c)));
    this.machines.arrive(
      new views.MachinesView({
        onExport: (c) => app.exportPng(c),
        onRemove: (i) => {
          this.opened.splice(i, 1);
          this.openedFiles.splice(i, 1);
          this.machines.use((m) => m.show(this.opened));
        },
        onReport: () => void this.comparisonReport(),
        onClose: () => {
          this.opened = [];
          this.openedFiles = [];
          this.machines.use((m) => m.show([]));
        },
      }),
    );
  }

  private refresh(): void {
    // This machine's session: a run on another machine is kept in that machine's own session.
    this.bar.setRuns(this.app.entries().filter((e) => !e.on).length, this.sweeps.length);
  }

  /** Called when a run joins the results table. */
  runAdded(): void {
    if (!this.restored) this.runsBeforeRestore = true;
    this.refresh();
    this.scheduleAutosave();
  }

  selectScenario(s: ScenarioInfo): void {
    this.sweepControls.setScenario(s, this.app.info()?.hardware.cpu.logicalCores ?? 2);
  }

  // ---- autosave ------------------------------------------------------------------------------

  /** Asks the engine for the last session's autosave; `restore` files it (`asked` is this call, made early). */
  askAutosave(): ReturnType<NonNullable<CoreScopeApi['restoreAutosave']>> | null {
    const asked = this.app.api.restoreAutosave?.() ?? null;
    // Awaited by restore; a failure before then must not be an unhandled rejection.
    asked?.catch(() => undefined);
    return asked;
  }

  async restore(asked = this.askAutosave()): Promise<void> {
    if (!asked) return;
    try {
      const found = await asked;
      if (found) {
        const have = new Set(this.app.entries().map((e) => e.record.result.runId));
        const scenarios = this.app.scenarios();
        let n = 0;
        for (const record of found.session.runs) {
          if (have.has(record.result.runId)) continue;
          this.app.addEntry({ record, title: runTitle(record, scenarios) });
          n++;
        }
        this.sweeps = [...(found.session.sweeps ?? [])];
        const last = this.sweeps[this.sweeps.length - 1];
        if (last) this.sweepView.use((v) => v.show(last, scenarios.find((s) => s.id === last.scenario)?.title));
        this.bar.status.textContent = n ? `Restored ${n} run${n === 1 ? '' : 's'} from the last session.` : '';
        document.body.dataset.restored = String(n);
      }
    } catch (e) {
      this.app.banner.show('The last session could not be restored', ApiError.from(e));
    } finally {
      this.restored = true;
      this.refresh();
      // A run that finished while the autosave was on its way was not saved then.
      if (this.runsBeforeRestore) this.scheduleAutosave();
    }
  }

  private scheduleAutosave(): void {
    if (!this.restored || !this.app.api.autosave) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.autosaveNow();
    }, 300);
  }

  private async autosaveNow(): Promise<void> {
    if (this.saving) {
      this.dirty = true;
      return;
    }
    if (this.app.entries().length === 0) return;
    this.saving = (async () => {
      try {
        const res = await this.app.api.autosave!();
        this.bar.status.textContent = `Autosaved ${res.runs} run${res.runs === 1 ? '' : 's'}.`;
        document.body.dataset.autosaved = String(res.runs);
      } catch (e) {
        this.bar.status.textContent = `Autosave failed: ${ApiError.from(e).message}`;
      }
    })();
    await this.saving;
    this.saving = null;
    if (this.dirty) {
      this.dirty = false;
      await this.autosaveNow();
    }
  }

  /** Tells the engine about a sweep (by its runs' ids) and autosaves, at once: a save right after must hold it. */
  private async recordSweep(sw: SweepResult): Promise<void> {
    if (!this.app.api.autosave) return;
    try {
      const res = await this.app.api.autosave(sweepRef(sw));
      this.bar.status.textContent = `Autosaved ${res.runs} run${res.runs === 1 ? '' : 's'}.`;
      document.body.dataset.autosaved = String(res.runs);
    } catch (e) {
      this.bar.status.textContent = `Autosave failed: ${ApiError.from(e).message}`;
    }
  }

  // ---- save, export, open ----------------------------------------------------------------------

  private async exportFile(format: SessionExportFormat, runId?: string): Promise<void> {
    const api = this.app.api;
    const saved = await keepFile(api, await api.exportSession!(format, runId));
    this.bar.status.textContent = saved ? `Saved ${saved}.` : 'Not saved.';
  }

  async save(format: 'session-gz' | 'session-json'): Promise<void> {
    try {
      await this.exportFile(format);
    } catch (e) {
      this.app.banner.show('The session could not be saved', ApiError.from(e));
    }
  }

  async exportAs(format: 'html' | 'csv' | 'trace'): Promise<void> {
    try {
      await this.exportFile(format, format === 'html' ? undefined : (this.app.shownRunId() ?? undefined));
    } catch (e) {
      this.app.banner.show('Export failed', ApiError.from(e));
    }
  }

  /** Opens session files into the comparison; a bad file is reported by place and changes nothing. */
  async open(files: File[]): Promise<void> {
    const api = this.app.api;
    let added = 0;
    const failures: string[] = [];
    let lastError: ApiError | null = null;
    for (const file of files) {
      try {
        const id = await uploadBytes(api, await fileBytes(file));
        const session = await api.loadSession!(id, file.name);
        this.opened.push({ label: this.uniqueLabel(file.name.replace(/\.session\.json(\.gz)?$|\.json(\.gz)?$/i, '') || file.name), session });
        this.openedFiles.push(file);
        added++;
      } catch (e) {
        lastError = ApiError.from(e);
        failures.push(lastError.message);
      }
    }
    if (added) {
      this.machines.use((m) => {
        m.show(this.opened);
        m.el.scrollIntoView({ behavior: 'instant', block: 'start' });
      });
    }
    if (failures.length) {
      this.app.banner.show(failures.length === 1 ? 'This session file could not be opened' : `${failures.length} session files could not be opened`, new ApiError({ code: 'bad-input', field: lastError?.field, message: failures.join('\n') }));
    }
    this.bar.status.textContent = `Opened ${added} of ${files.length} file${files.length === 1 ? '' : 's'}.`;
  }

  private uniqueLabel(base: string): string {
    const taken = new Set(this.opened.map((o) => o.label));
    if (!taken.has(base)) return base;
    for (let k = 2; ; k++) if (!taken.has(`${base} #${k}`)) return `${base} #${k}`;
  }

  private async comparisonReport(): Promise<void> {
    const api = this.app.api;
    try {
      const items = [];
      for (let i = 0; i < this.opened.length; i++) items.push({ uploadId: await uploadBytes(api, await fileBytes(this.openedFiles[i])), label: this.opened[i].label });
      const saved = await keepFile(api, await api.exportComparison!(items));
      this.bar.status.textContent = saved ? `Saved ${saved}.` : 'Not saved.';
    } catch (e) {
      this.app.banner.show('The comparison report could not be made', ApiError.from(e));
    }
  }

  // ---- sweeps ----------------------------------------------------------------------------------

  async sweep(): Promise<void> {
    if (this.sweeping) return;
    const c = this.sweepControls;
    const scenario = this.app.scenario();
    const base = this.app.request();
    c.error.textContent = '';
    if (!scenario || !base) {
      c.error.textContent = 'Fix the parameters above first.';
      return;
    }
    let steps: SweepStep[];
    try {
      steps = planSweep(base, scenario, c.tasks.value, c.repeat.value);
    } catch (e) {
      c.error.textContent = (e as Error).message;
      return;
    }
    const state = { stopped: false };
    this.sweeping = state;
    c.button.disabled = true;
    c.stop.disabled = false;
    const finished: { step: SweepStep; record: RunRecord }[] = [];
    try {
      for (let i = 0; i < steps.length && !state.stopped; i++) {
        const step = steps[i];
        c.progress.textContent = `run ${i + 1}/${steps.length}: ${step.tasks} task${step.tasks === 1 ? '' : 's'}${steps.some((s) => s.repeat > 1) ? `, repeat ${step.repeat}` : ''}`;
        const entry = await this.app.run(step.request);
        if (!entry) break;
        finished.push({ step, record: entry.record });
        if (entry.record.result.exit.reason === 'cancelled') break;
      }
    } finally {
      this.sweeping = null;
      c.button.disabled = false;
      c.stop.disabled = true;
    }
    const req = base as Extract<RunRequest, { kind: 'scenario' }>;
    const sw = sweepFromRuns(scenario.id, req.params, steps, finished, this.app.info()?.hardware.cpu.logicalCores ?? 1);
    c.progress.textContent = sw.complete ? `Sweep done: ${sw.runs.length} runs.` : `Sweep stopped: ${sw.runs.length} of ${steps.length} runs kept.`;
    if (sw.runs.length) {
      this.sweeps.push(sw);
      this.sweepView.use((v) => {
        v.show(sw, scenario.title);
        v.el.scrollIntoView({ behavior: 'instant', block: 'start' });
      });
      this.refresh();
      await this.recordSweep(sw);
    }
  }

  private async stopSweep(): Promise<void> {
    if (!this.sweeping) return;
    this.sweeping.stopped = true;
    this.sweepControls.progress.textContent = 'Stopping the sweep…';
    await this.app.cancel();
  }
}
