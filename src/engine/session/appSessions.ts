// The app's side of sessions, behind the engine's API: the current session the engine owns
// (currentSession.ts) autosaved, saved and exported engine → disk in one direction, stamped with
// this machine's hardware profile; and the files a user opens in the app, uploaded in parts
// (uploads.ts) and read by the one session decoder (decodeSession.ts).
import { mkdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ExportedFile } from '../../shared/apiOverCall';
import type { SessionExportFormat, SweepRef } from '../../shared/argSchemas';
import type { SystemInfo } from '../../shared/types';
import type { SessionFile } from '../../shared/sessionSchema';
import { comparisonReportHtml } from '../export/htmlReport';
import { runtimesOfRuns } from './buildSession';
import { loadSession, saveSession } from './sessionFile';
import { SessionFileError, decodeSession } from './decodeSession';
import { CurrentSession } from './currentSession';
import { Uploads } from './uploads';
import { exportSessionAs, type ExportData } from './sessionExports';

export const AUTOSAVE_FILE = 'autosave.session.json.gz';

/**
 * Where the app keeps its state: $CORESCOPE_STATE_DIR, else ~/.config/corescope (Electron's
 * userData dir on Linux). The test configuration sets CORESCOPE_STATE_DIR to a private temp dir,
 * so tests never read or overwrite a person's real autosave.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CORESCOPE_STATE_DIR) return env.CORESCOPE_STATE_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'corescope');
}


export class AppSessions {
  readonly current = new CurrentSession();
  private readonly uploads = new Uploads();
  readonly autosavePath: string;
  /** This machine's profile, asked once: probing the interpreters again on every autosave would cost seconds. */
  private machine: Promise<SystemInfo> | null = null;
  /** Whether the last autosave has been merged in (or found missing): an autosave must not replace runs it never read. */
  private restoreTried = false;
  private autosaving: Promise<unknown> = Promise.resolve();

  constructor(
    readonly stateDir: string,
    private readonly info: () => Promise<SystemInfo>,
  ) {
    this.autosavePath = join(stateDir, AUTOSAVE_FILE);
  }

  private thisMachine(): Promise<SystemInfo> {
    this.machine ??= this.info().catch((err: unknown) => {
      this.machine = null;
      throw err;
    });
    return this.machine;
  }

  uploadPart(uploadId: string, index: number, bytes: Uint8Array): Promise<{ bytes: number }> {
    return Promise.resolve().then(() => this.uploads.add(uploadId, index, bytes));
  }

  async loadSession(uploadId: string, fileName: string): Promise<SessionFile> {
    return decodeSession(this.uploads.take(uploadId), fileName);
  }

  /** The current session with this machine's hardware profile and the interpreters its runs used (probed). */
  private async stamped(): Promise<SessionFile> {
    const info = await this.thisMachine();
    const session = this.current.toSession(info);
    const runtimes = await runtimesOfRuns(session.runs, info.runtimes);
    return { ...session, runtimes: runtimes.length ? runtimes : info.runtimes };
  }

  /** The current session, or one run of it (csv, trace: `runId`, or the last run), as a file. */
  async exportSession<F extends SessionExportFormat>(format: F, runId?: string): Promise<ExportedFile<ExportData<F>>> {
    return (await this.exportAny(format, runId)) as ExportedFile<ExportData<F>>;
  }

  private async exportAny(format: SessionExportFormat, runId?: string): Promise<ExportedFile> {
    return exportSessionAs(await this.stamped(), format, runId);
  }

  /** Uploaded session files (machines) as one HTML comparison report. */
  async exportComparison(items: { uploadId: string; label: string }[]): Promise<ExportedFile<string>> {
    const sessions = [];
    for (const { uploadId, label } of items) sessions.push({ label, session: await decodeSession(this.uploads.take(uploadId), label) });
    return { name: `corescope-comparison-${new Date().toISOString().slice(0, 10)}.html`, mime: 'text/html', data: comparisonReportHtml(sessions) };
  }

  /**
   * Records the sweep (if any) in the current session, then writes the session atomically to the
   * state dir. A bad sweep is refused before anything is written, so it never replaces a good
   * autosave; and the last autosave is merged in first if nothing has read it yet.
   */
  async autosave(sweep?: SweepRef): Promise<{ path: string; runs: number }> {
    if (sweep !== undefined) this.current.addSweep(sweep, (await this.thisMachine()).hardware.cpu.logicalCores);
    // One write at a time (a page may ask again while one is under way); each writes the session as it is then.
    const write = this.autosaving.then(async () => {
      if (!this.restoreTried) await this.restoreAutosave().catch(() => null);
      const session = this.current.toSession(await this.thisMachine());
      await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
      await saveSession(this.autosavePath, session);
      return { path: this.autosavePath, runs: session.runs.length };
    });
    this.autosaving = write.catch(() => undefined);
    return write;
  }

  /**
   * Merges the last autosave into the current session and returns the session; null when there
   * is no autosave. One that no longer reads is moved aside (kept for a look, never overwritten by
   * the next autosave) and reported with its place.
   */
  async restoreAutosave(): Promise<{ path: string; session: SessionFile } | null> {
    this.restoreTried = true;
    let saved: SessionFile;
    try {
      saved = await loadSession(this.autosavePath);
    } catch (err) {
      if (err instanceof SessionFileError && /no such file/.test(err.message)) return null;
      const aside = `${this.autosavePath}.unreadable-${Date.now()}`;
      await rename(this.autosavePath, aside).catch(() => undefined);
      throw new SessionFileError(this.autosavePath, (err as { field?: string }).field ?? '', `${(err as Error).message.replace(`${this.autosavePath}: `, '')} (moved aside to ${aside})`);
    }
    this.current.merge(saved);
    // The file's header, the merged runs and sweeps: what the next autosave will hold.
    const sweeps = this.current.sweepResults;
    return { path: this.autosavePath, session: { ...saved, runs: [...this.current.records], sweeps: sweeps.length ? [...sweeps] : undefined } };
  }
}
