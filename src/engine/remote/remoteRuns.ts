// Runs the app starts on other machines (issue #18), seen through this engine: a run with
// `on: host` is started on that machine's connection (machines.ts), and its events come back
// under a local run id ("<remote id>@<host>"), so the page follows it as any run — live batches,
// cancel, its record, its exports (made there, by the engine that recorded it). Such runs stay
// out of this machine's session: a session is one machine's, stamped with its hardware; each
// remote machine's session is kept by its own engine (and `corescope suite --on` saves them).
// When a machine's connection goes while a run is going, what streamed of it is kept here
// (liveRecord.ts) and the run ends as finished with that record, marked incomplete; its exports
// are then made here, with that machine's profile.
import type { EngineEvent, ExportedFile, RunRequest, SessionExportFormat } from '../../shared/api';
import { parseRunRequest } from '../../shared/argSchemas';
import { InputError } from '../../shared/runLimits';
import type { RunRecord } from '../../shared/types';
import { cutShort } from '../../shared/runOutcome';
import { buildSession } from '../session/buildSession';
import { exportSessionAs } from '../session/sessionExports';
import type { Machines } from './machines';
import type { RemoteEngine } from './remoteEngine';

interface RemoteRun {
  engine: RemoteEngine;
  remoteId: string;
  done: boolean;
  /** What reached here before the connection was lost (the run ended there with it). */
  kept?: RunRecord;
}

export class RemoteRuns {
  private readonly runs = new Map<string, RemoteRun>();
  /** "host\0remote id" → local id. */
  private readonly localIds = new Map<string, string>();

  constructor(
    private readonly machines: Machines | null,
    private readonly emit: (e: EngineEvent) => void,
    private readonly keepRuns: number,
    /** Whether the suite is going on a machine: a run beside it would disturb both. */
    private readonly suiteRunning: (host: string) => boolean = () => false,
  ) {}

  /** Whether a run started here is still going on `host`. */
  goingOn(host: string): boolean {
    return [...this.runs.values()].some((r) => !r.done && r.engine.target.text === host);
  }

  /** Whether a run id is one of these. */
  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** Routes a connected machine's events to the runs started here. */
  follow(host: string, engine: RemoteEngine): void {
    engine.onEvent((e) => {
      if (e.type === 'suite-progress' || e.type === 'suite-finished') return;
      const remoteId = e.type === 'live' ? e.batch.runId : e.runId;
      const runId = this.localIds.get(`${host}\0${remoteId}`);
      const run = runId ? this.runs.get(runId) : undefined;
      if (!runId || !run) return;
      if (e.type === 'live') this.emit({ type: 'live', batch: { ...e.batch, runId } });
      else if (e.type === 'run-finished') {
        run.done = true;
        this.emit({ type: 'run-finished', runId, result: { ...e.result, runId } });
      } else if (e.type === 'run-failed') {
        run.done = true;
        this.emit({ type: 'run-failed', runId, error: e.error });
      }
      // run-started: this engine said so itself, with the request as it was made here.
    });
    engine.onLost((why) => {
      for (const [runId, run] of this.runs) {
        if (run.engine !== engine || run.done) continue;
        run.done = true;
        run.kept = engine.lostRecord(run.remoteId) ?? undefined;
        if (run.kept) this.emit({ type: 'run-finished', runId, result: run.kept.result });
        else this.emit({ type: 'run-failed', runId, error: `${why}; the run there was ended with it (nothing is left running on ${host}), and nothing it recorded had reached this machine` });
      }
    });
  }

  async start(request: RunRequest): Promise<{ runId: string }> {
    if (!this.machines) throw new InputError('on', 'on: this CoreScope is itself running for another one over ssh and does not reach further machines');
    const { on, ...there } = parseRunRequest(request);
    const engine = await this.machines.engineFor(on!, 'on');
    if (this.suiteRunning(engine.target.text)) throw new InputError('on', `on: the suite is running on ${engine.target.text}; a run beside it would disturb both — wait for it or stop it`);
    // The machine there validates the rest in full, and names the field as here.
    const host = engine.target.text;
    const localId = (remoteId: string): string => `${remoteId}@${host}`;
    const { runId: remoteId } = await engine.startRun(there as RunRequest, localId);
    const runId = localId(remoteId);
    this.runs.set(runId, { engine, remoteId, done: false });
    this.localIds.set(`${host}\0${remoteId}`, runId);
    this.trim();
    this.emit({ type: 'run-started', runId, request, startedAt: new Date().toISOString() });
    return { runId };
  }

  async cancel(runId: string): Promise<void> {
    const r = this.runs.get(runId)!;
    if (!r.done && !r.engine.lost) await r.engine.api.cancelRun(r.remoteId);
  }

  async getRun(runId: string): Promise<RunRecord> {
    const r = this.runs.get(runId)!;
    if (r.kept) return r.kept;
    const record = await r.engine.api.getRun(r.remoteId);
    return { ...record, result: { ...record.result, runId } };
  }

  async exportSession(format: SessionExportFormat, runId: string): Promise<ExportedFile> {
    const r = this.runs.get(runId)!;
    if (!r.kept) return r.engine.api.exportSession(format, r.remoteId) as Promise<ExportedFile>;
    // The machine is gone: the kept run is exported here, stamped with its profile (asked when it was connected).
    const session = await buildSession(() => r.engine.info(), [r.kept], { remote: await r.engine.info(), incomplete: cutShort(r.kept.result) });
    return exportSessionAs(session, format, runId);
  }

  /** The run's record once it ends (what runToEnd waits for). */
  finished(runId: string, onEvent: (l: (e: EngineEvent) => void) => () => void): Promise<RunRecord> {
    return new Promise((resolve, reject) => {
      const off = onEvent((e) => {
        if ((e.type === 'run-finished' || e.type === 'run-failed') && e.runId === runId) {
          off();
          if (e.type === 'run-finished') resolve(this.getRun(runId));
          else reject(new Error(e.error));
        }
      });
    });
  }

  /** Cancels the runs still going there (their records stay there). */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.cancel(id).catch(() => undefined)));
  }

  private trim(): void {
    const done = [...this.runs.entries()].filter(([, r]) => r.done);
    for (const [id, r] of done.slice(0, Math.max(0, done.length - this.keepRuns))) {
      this.runs.delete(id);
      this.localIds.delete(`${r.engine.target.text}\0${r.remoteId}`);
    }
  }
}
