// The engine behind every front door (Electron IPC, the CLI, the `serve` WebSocket). It trusts
// nothing it is given: requests are validated here, whatever checked them before.
import { checkAttachTarget, type AttachTarget } from './attach/attachTarget';
import { ProcessLister } from './attach/processList';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import type { CoreScopeApi, EngineEvent, ExportedFile, RunRequest, SessionExportFormat, SweepRef } from '../shared/api';
import type { MachineEntry, RunningProcess, ScenarioInfo } from '../shared/model';
import type { SessionFile } from '../shared/sessionSchema';
import type { RunParams, RunRecord, SystemInfo } from '../shared/types';
import { SCENARIOS, getScenario } from '../shared/scenarios';
import { validateScenarioParams } from '../shared/scenarioParams';
import { parseRunRequest } from '../shared/argSchemas';
import { InputError, checkRateHz, checkStacksHz, checkTimeoutS } from '../shared/runLimits';
import { buildScenarioCommand, findWorkloadsDir } from './scenarioCommand';
import { corescopeVersion } from './version';
import { hardwareProfile } from './hardware';
import { resolveRuntimes, listRuntimes } from './runtimeChoice';
import { findKeeperPython } from './run/keeperPython';
import { Run } from './run/run';
import { AppSessions, defaultStateDir } from './session/appSessions';
import { Machines } from './remote/machines';
import { RemoteRuns } from './remote/remoteRuns';
import { MachineSuites } from './remote/machineSuites';
import { parseSshTarget } from './remote/sshTarget';
import { buildSession } from './session/buildSession';
import { exportSessionAs } from './session/sessionExports';
import { decodeSession } from './session/decodeSession';

export interface EngineOptions {
  workloadsDir?: string;
  /** Default interpreters when a request names none. */
  python?: string;
  node?: string;
  /** How many finished runs to keep for getRun (oldest are dropped). */
  keepRuns?: number;
  /** Where the app's autosave lives (default: $CORESCOPE_STATE_DIR or ~/.config/corescope). */
  stateDir?: string;
  /** Whether runs may go to other machines over ssh (`on`); false for the agent that is itself one. */
  machines?: boolean;
  /** An ssh client config for other machines (`serve --ssh-config`; as ssh -F). */
  sshConfig?: string;
}

interface RunEntry {
  run: Run;
  record?: RunRecord;
  error?: string;
}

/** What a run needs besides the request: the spec the runner takes. */
export interface PreparedRun {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  params: RunParams;
  scenarioId?: string;
  /** A running program to attach to (argv is then empty). */
  attach?: AttachTarget;
}

export class Engine implements CoreScopeApi {
  private readonly runs = new Map<string, RunEntry>();
  private readonly processes = new ProcessLister();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly workloadsDir: string;
  private readonly keepRuns: number;
  private disposed = false;
  private systemInfo: Promise<SystemInfo> | null = null;
  /** The app's current session (every run this engine finished), its autosave, exports and uploads (see session/appSessions.ts). */
  readonly sessions: AppSessions;
  /** Other machines over ssh (issue #18), and the runs started there from here. */
  private readonly machines: Machines | null;
  private readonly remoteRuns: RemoteRuns;
  /** The standard suite on other machines, started from the Machines place. */
  private readonly suites: MachineSuites | null;

  constructor(private readonly options: EngineOptions = {}) {
    this.workloadsDir = options.workloadsDir ?? findWorkloadsDir();
    this.keepRuns = options.keepRuns ?? 50;
    const stateDir = options.stateDir ?? defaultStateDir();
    this.sessions = new AppSessions(stateDir, () => this.info());
    this.machines = options.machines === false ? null : new Machines(join(stateDir, 'machines.json'), (host, engine) => this.remoteRuns.follow(host, engine), { configFile: options.sshConfig });
    this.suites = this.machines ? new MachineSuites(this.machines, (e) => this.emit(e), (host) => this.remoteRuns.goingOn(host)) : null;
    this.remoteRuns = new RemoteRuns(this.machines, (e) => this.emit(e), this.keepRuns, (host) => !!this.suites?.running(host));
  }

  /** Other machines, or an InputError on `field` when this engine is itself one (the agent). */
  private reach(field: string): { machines: Machines; suites: MachineSuites } {
    if (!this.machines || !this.suites) throw new InputError(field, `${field}: this CoreScope is itself running for another one over ssh and does not reach further machines`);
    return { machines: this.machines, suites: this.suites };
  }

  async connectMachine(host: string): Promise<MachineEntry> {
    return this.reach('host').machines.connect(host, 'host');
  }

  /** Starts the standard suite on a connected machine; its progress comes as suite events. */
  runSuite(host: string): Promise<{ host: string; runs: number }> {
    return Promise.resolve().then(() => this.reach('host').suites.start(host));
  }

  /** Stops the suite going on a machine (what it finished is kept). */
  stopSuite(host: string): Promise<void> {
    return Promise.resolve().then(() => this.reach('host').suites.stop(host));
  }

  async listMachines(): Promise<MachineEntry[]> {
    return this.machines ? this.machines.list() : [];
  }

  /**
   * A machine's session, stamped with its hardware: the runs made there from here, as the engine
   * that recorded them keeps them, with the last suite run there (its runs and sweeps, kept here:
   * still saved once the connection is gone).
   */
  async exportMachineSession(host: string, format: SessionExportFormat): Promise<ExportedFile> {
    const { machines, suites } = this.reach('host');
    if (format === 'csv' || format === 'trace') throw new InputError('format', `format: a machine's session is saved as session-gz, session-json or html (got ${JSON.stringify(format)}); a run's ${format} is exported from the run`);
    const key = parseSshTarget(host, 'host').text;
    const suite = suites.recorded(key);
    if (!suite) return machines.connected(host, 'host').api.exportSession(format) as Promise<ExportedFile>;
    const engine = machines.isConnected(key) ? machines.connected(key, 'host') : null;
    // Its own session, read by the one decoder of session bytes (gzip, size cap, schema).
    const there = engine ? await decodeSession(Buffer.from(((await engine.api.exportSession('session-gz')) as ExportedFile<Uint8Array>).data), `${key}'s session`) : null;
    const inSuite = new Set(suite.records.map((r) => r.result.runId));
    const runs = [...(there?.runs.filter((r) => !inSuite.has(r.result.runId)) ?? []), ...suite.records];
    const session = await buildSession(async () => suite.info, runs, { sweeps: suite.sweeps, incomplete: suite.incomplete && `the suite: ${suite.incomplete}`, remote: suite.info });
    return exportSessionAs(session, format);
  }

  /**
   * The machine and the runtimes found on it, probed once per engine: probing spawns every
   * interpreter on PATH (seconds, with pyenv's shims), and whatever asks again — the page at
   * load, the first autosave, an export — must not do that work again, least of all while a run
   * is measuring the machine (the first autosave after a run came as the next run started, and
   * took ~0.3 core from it).
   */
  info(): Promise<SystemInfo> {
    this.systemInfo ??= (async () => {
      const [hardware, runtimes] = await Promise.all([hardwareProfile(), listRuntimes(this.options)]);
      return { hardware, runtimes, corescopeVersion: corescopeVersion(), nodeVersion: process.versions.node };
    })().catch((err: unknown) => {
      this.systemInfo = null;
      throw err;
    });
    return this.systemInfo;
  }

  async listScenarios(): Promise<ScenarioInfo[]> {
    return SCENARIOS;
  }

  /** This machine's running programs, or those of the connected machine `on` (to attach there). */
  async listProcesses(on?: string): Promise<RunningProcess[]> {
    if (on === undefined) return this.processes.list();
    return this.reach('host').machines.connected(on, 'host').api.listProcesses();
  }

  /** Turns a request into what to spawn, or throws an InputError naming the field. */
  async prepare(input: unknown): Promise<PreparedRun> {
    // The limits first: their messages name the allowed range, which the schema's do not.
    if (input && typeof input === 'object') {
      checkRateHz((input as { rateHz?: unknown }).rateHz);
      checkTimeoutS((input as { timeoutS?: unknown }).timeoutS);
      checkStacksHz((input as { stacksHz?: unknown }).stacksHz);
    }
    const req = parseRunRequest(input);
    const rateHz = checkRateHz(req.rateHz);
    const timeoutS = checkTimeoutS(req.timeoutS);
    if (req.kind === 'attach') {
      // Refuses (InputError on `pid`) anything that cannot be followed: see attachTarget.ts.
      const target = checkAttachTarget(req.pid);
      return { argv: [], env: {}, attach: target, params: { attach: { pid: target.pid, name: target.name, cmdline: target.cmdline }, rateHz, timeoutS } };
    }
    if (req.kind === 'command') {
      if (req.cwd !== undefined && !isDirectory(req.cwd)) throw new InputError('cwd', `cwd: ${JSON.stringify(req.cwd)} is not an existing directory; give the folder to run the command in`);
      return {
        argv: ['/bin/sh', '-c', req.cmd],
        env: req.env ?? {},
        cwd: req.cwd,
        params: { cmd: req.cmd, cwd: req.cwd, env: req.env, rateHz, timeoutS, stacksHz: checkStacksHz(req.stacksHz) },
      };
    }
    const scenario = getScenario(req.scenario);
    if (!scenario || scenario.runtime === 'custom') {
      const ids = SCENARIOS.filter((s) => s.runtime !== 'custom').map((s) => s.id);
      throw new InputError('scenario', `unknown scenario ${JSON.stringify(req.scenario)}; choose one of: ${ids.join(', ')}`);
    }
    const checked = validateScenarioParams(req.scenario, req.params);
    if (!checked.ok) {
      const first = checked.errors[0];
      throw new InputError(`params.${first.field}`, checked.errors.map((e) => e.message).join('; '));
    }
    const runtimes = await resolveRuntimes(scenario.runtime, { python: req.python ?? this.options.python, node: req.node ?? this.options.node });
    const cmd = buildScenarioCommand(req.scenario, checked.params, runtimes, this.workloadsDir);
    return {
      argv: cmd.argv,
      env: cmd.env,
      params: { argv: cmd.argv, env: cmd.env, rateHz, timeoutS, stacksHz: checkStacksHz(req.stacksHz), scenario: { id: req.scenario, params: checked.params } },
      scenarioId: req.scenario,
    };
  }

  async startRun(request: RunRequest): Promise<{ runId: string }> {
    if (this.disposed) throw new Error('the engine has shut down');
    if (request && typeof request === 'object' && (request as { on?: unknown }).on !== undefined) return this.remoteRuns.start(request);
    const prepared = await this.prepare(request);
    const run = new Run({
      argv: prepared.argv,
      env: prepared.env,
      cwd: prepared.cwd,
      rateHz: prepared.params.rateHz,
      timeoutS: prepared.params.timeoutS,
      params: prepared.params,
      scenarioId: prepared.scenarioId,
      attach: prepared.attach,
      stacks: prepared.attach ? undefined : { rateHz: prepared.params.stacksHz ?? 0, workloadsDir: this.workloadsDir },
      // An attached program already runs: no keeper launches it.
      keeper: prepared.attach ? null : keeperFor(this.workloadsDir),
      onLive: (batch) => this.emit({ type: 'live', batch }),
      // Building batches costs CPU in the profiler: only when someone watches.
      wantsLive: () => this.listeners.size > 0,
    });
    await run.start();
    const entry: RunEntry = { run };
    this.runs.set(run.id, entry);
    this.emit({ type: 'run-started', runId: run.id, request, startedAt: new Date().toISOString() });
    run.finished.then(
      (record) => {
        entry.record = record;
        this.sessions.current.addRun(record);
        this.emit({ type: 'run-finished', runId: run.id, result: record.result });
        this.trimHistory();
      },
      (err: Error) => {
        entry.error = err.message;
        this.emit({ type: 'run-failed', runId: run.id, error: err.message });
      },
    );
    return { runId: run.id };
  }

  /** Starts a run and waits for its record (what the CLI does). */
  async runToEnd(request: RunRequest): Promise<RunRecord> {
    const { runId } = await this.startRun(request);
    if (this.remoteRuns.has(runId)) return this.remoteRuns.finished(runId, (l) => this.onEvent(l));
    return this.runs.get(runId)!.run.finished;
  }

  async cancelRun(runId: string): Promise<void> {
    if (this.remoteRuns.has(String(runId))) return this.remoteRuns.cancel(String(runId));
    const entry = this.runs.get(String(runId));
    if (!entry) throw new InputError('runId', `no run with id ${JSON.stringify(runId)}`);
    entry.run.cancel();
    await entry.run.finished.catch(() => undefined);
  }

  async getRun(runId: string): Promise<RunRecord> {
    if (this.remoteRuns.has(String(runId))) return this.remoteRuns.getRun(String(runId));
    const entry = this.runs.get(String(runId));
    if (!entry) throw new InputError('runId', `no run with id ${JSON.stringify(runId)}`);
    if (entry.error) throw new Error(entry.error);
    return entry.record ?? entry.run.finished;
  }

  uploadPart(uploadId: string, index: number, bytes: Uint8Array): Promise<{ bytes: number }> {
    return this.sessions.uploadPart(uploadId, index, bytes);
  }

  loadSession(uploadId: string, fileName: string): Promise<SessionFile> {
    return this.sessions.loadSession(uploadId, fileName);
  }

  exportSession(format: SessionExportFormat, runId?: string): Promise<ExportedFile> {
    // A run on another machine is exported there, by the engine that recorded it.
    if (runId !== undefined && this.remoteRuns.has(String(runId))) return this.remoteRuns.exportSession(format, String(runId));
    return this.sessions.exportSession(format, runId);
  }

  exportComparison(sessions: { uploadId: string; label: string }[]): Promise<ExportedFile> {
    return this.sessions.exportComparison(sessions);
  }

  autosave(sweep?: SweepRef): Promise<{ path: string; runs: number }> {
    return this.sessions.autosave(sweep);
  }

  restoreAutosave(): Promise<{ path: string; session: SessionFile } | null> {
    return this.sessions.restoreAutosave();
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    // A run nobody watched replays its samples less often: its first batch for this listener comes now.
    for (const entry of this.runs.values()) if (!entry.record && !entry.error) entry.run.watchersChanged();
    return () => this.listeners.delete(listener);
  }

  /** Cancels every run and waits until each tree is gone. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const pending = [...this.runs.values()].filter((e) => !e.record && !e.error);
    for (const e of pending) e.run.end('profiler-exit');
    this.suites?.stopAll();
    await Promise.all([...pending.map((e) => e.run.finished.catch(() => undefined)), this.remoteRuns.cancelAll()]);
    await this.machines?.closeAll();
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // one broken listener must not starve the others
      }
    }
  }

  private trimHistory(): void {
    const finished = [...this.runs.entries()].filter(([, e]) => e.record || e.error);
    for (const [id] of finished.slice(0, Math.max(0, finished.length - this.keepRuns))) this.runs.delete(id);
  }
}

export function createEngine(options?: EngineOptions): Engine {
  return new Engine(options);
}

function keeperFor(workloadsDir: string): { python: string; script: string } | null {
  const python = findKeeperPython();
  return python ? { python, script: join(workloadsDir, 'keeper.py') } : null;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
