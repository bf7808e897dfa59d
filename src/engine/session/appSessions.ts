// The app's side of sessions, behind the engine's API: uploads in parts (the WebSocket takes at
// most 1 MiB a message), loading an uploaded session file with the shared schema, exporting the
// app's current session stamped with this machine's hardware profile, and the autosave that
// keeps the current session safe across a restart (written atomically to the state dir).
import { mkdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { UPLOAD_PART_BYTES, type ExportedFile, type SessionExportFormat } from '../../shared/api';
import type { SystemInfo } from '../../shared/types';
import { InputError } from '../../shared/runLimits';
import { describeIssue, makeSession, parseSession, serializeSession, type SessionFile } from '../../shared/sessionSchema';
import { comparisonReportHtml, sessionReportHtml } from '../export/htmlReport';
import { samplesToCsv } from '../export/csv';
import { runToTrace } from '../export/traceEvents';
import { runtimesOfRuns } from './buildSession';
import { MAX_SESSION_JSON_BYTES, SessionFileError, TOO_LARGE_DECOMPRESSED, loadSession, saveSession } from './sessionFile';
import { DecompressedTooLarge, gunzipCapped } from './gunzipCapped';

const gzipAsync = promisify(gzip);

/** One upload's limit (a session file, compressed or not) and all uploads' together. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
export const MAX_STAGED_BYTES = 512 * 1024 * 1024;
const MAX_UPLOADS = 64;
/** An upload nobody consumed is dropped after this long without a new part. */
const UPLOAD_IDLE_MS = 10 * 60_000;

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

interface Upload {
  parts: Buffer[];
  bytes: number;
  touched: number;
}

/** Decodes session bytes (gzip by its magic bytes, or plain JSON) and validates them; errors name the file and the place. */
export async function decodeSessionBytes(raw: Buffer, label: string): Promise<SessionFile> {
  if (raw.length === 0) throw new SessionFileError(label, '', 'the file is empty');
  let bytes = raw;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipCapped(bytes, MAX_SESSION_JSON_BYTES);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e instanceof DecompressedTooLarge) throw new SessionFileError(label, '', TOO_LARGE_DECOMPRESSED);
      const why = e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message) ? 'it ends early (truncated?)' : `it is corrupt (${e.message})`;
      throw new SessionFileError(label, '', `not a readable gzip file: ${why}`);
    }
  } else if (bytes.length > MAX_SESSION_JSON_BYTES) {
    throw new SessionFileError(label, '', `too large (${bytes.length} bytes of JSON; the limit is ${MAX_SESSION_JSON_BYTES} bytes)`);
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const at = /at position (\d+)/.exec(msg);
    const atEnd = /end of JSON input|Unterminated/i.test(msg) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    throw new SessionFileError(label, '', atEnd ? 'the JSON ends early (truncated?)' : `not valid JSON (${msg})`);
  }
  const parsed = parseSession(data);
  if (!parsed.ok) throw new SessionFileError(label, parsed.issue.place, describeIssue(parsed.issue, parsed.issueCount));
  return parsed.value;
}

const safeName = (s: string): string => s.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'corescope';

export class AppSessions {
  private readonly uploads = new Map<string, Upload>();
  private staged = 0;
  readonly autosavePath: string;

  constructor(
    readonly stateDir: string,
    private readonly info: () => Promise<SystemInfo>,
  ) {
    this.autosavePath = join(stateDir, AUTOSAVE_FILE);
  }

  async uploadPart(uploadId: string, index: number, base64: string): Promise<{ bytes: number }> {
    this.expire();
    const part = Buffer.from(base64, 'base64');
    if (part.length > UPLOAD_PART_BYTES) throw new InputError('base64', `an upload part holds at most ${UPLOAD_PART_BYTES} bytes (got ${part.length})`);
    let up = this.uploads.get(uploadId);
    if (!up) {
      if (index !== 0) throw new InputError('index', `upload ${uploadId} is unknown or expired: send its part 0 first`);
      if (this.uploads.size >= MAX_UPLOADS) throw new InputError('uploadId', `too many uploads in progress (${MAX_UPLOADS}); finish or abandon some first`);
      up = { parts: [], bytes: 0, touched: Date.now() };
      this.uploads.set(uploadId, up);
    }
    if (index !== up.parts.length) throw new InputError('index', `upload ${uploadId} expects part ${up.parts.length} next (got ${index})`);
    if (up.bytes + part.length > MAX_UPLOAD_BYTES) {
      this.drop(uploadId);
      throw new InputError('base64', `an upload may hold at most ${MAX_UPLOAD_BYTES} bytes`);
    }
    if (this.staged + part.length > MAX_STAGED_BYTES) throw new InputError('base64', 'the engine holds too many unfinished uploads; try again shortly');
    up.parts.push(part);
    up.bytes += part.length;
    up.touched = Date.now();
    this.staged += part.length;
    return { bytes: up.bytes };
  }

  /** Takes an upload's bytes (each upload is consumed once). */
  take(uploadId: string): Buffer {
    const up = this.uploads.get(uploadId);
    if (!up) throw new InputError('uploadId', `no upload ${JSON.stringify(uploadId)}: send its parts with uploadPart first`);
    this.drop(uploadId);
    return Buffer.concat(up.parts);
  }

  async loadSession(uploadId: string, fileName: string): Promise<SessionFile> {
    return decodeSessionBytes(this.take(uploadId), fileName);
  }

  /** The uploaded session with this machine's hardware profile and the runtimes its runs used. */
  private async stamped(uploadId: string): Promise<SessionFile> {
    const draft = await decodeSessionBytes(this.take(uploadId), 'the current session');
    const info = await this.info();
    const runtimes = await runtimesOfRuns(draft.runs, info.runtimes);
    return makeSession({
      corescopeVersion: info.corescopeVersion,
      hardware: info.hardware,
      runtimes: runtimes.length ? runtimes : info.runtimes,
      runs: draft.runs,
      sweeps: draft.sweeps,
      incomplete: draft.incomplete,
    });
  }

  async exportSession(uploadId: string, format: SessionExportFormat, runId?: string): Promise<ExportedFile> {
    const session = await this.stamped(uploadId);
    const base = `corescope-${safeName(session.hardware.hostname)}-${session.createdAt.slice(0, 19).replace(/[:T]/g, '-')}`;
    switch (format) {
      case 'session-gz':
        return { name: `${base}.session.json.gz`, mime: 'application/gzip', encoding: 'base64', data: (await gzipAsync(Buffer.from(serializeSession(session)), { level: 6 })).toString('base64') };
      case 'session-json':
        return { name: `${base}.session.json`, mime: 'application/json', encoding: 'utf8', data: serializeSession(session) };
      case 'html':
        return { name: `${base}.html`, mime: 'text/html', encoding: 'utf8', data: sessionReportHtml(session) };
      case 'csv':
      case 'trace': {
        const record = runId === undefined ? session.runs[session.runs.length - 1] : session.runs.find((r) => r.result.runId === runId);
        if (!record) throw new InputError('runId', runId === undefined ? 'the session holds no runs to export' : `the session holds no run ${JSON.stringify(runId)}`);
        const name = safeName(`${record.result.scenario ?? 'run'}-${record.result.runId}`);
        if (format === 'csv') return { name: `${name}-samples.csv`, mime: 'text/csv', encoding: 'utf8', data: samplesToCsv(record.samples) };
        return { name: `${name}.trace.json`, mime: 'application/json', encoding: 'utf8', data: JSON.stringify(runToTrace(record, { corescopeVersion: session.corescopeVersion })) };
      }
    }
  }

  async exportComparison(items: { uploadId: string; label: string }[]): Promise<ExportedFile> {
    const sessions = [];
    for (const { uploadId, label } of items) sessions.push({ label, session: await decodeSessionBytes(this.take(uploadId), label) });
    return { name: `corescope-comparison-${new Date().toISOString().slice(0, 10)}.html`, mime: 'text/html', encoding: 'utf8', data: comparisonReportHtml(sessions) };
  }

  /** Validates first, so a bad upload never replaces a good autosave. */
  async autosave(uploadId: string): Promise<{ path: string; runs: number }> {
    const session = await decodeSessionBytes(this.take(uploadId), 'the session to autosave');
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    await saveSession(this.autosavePath, session);
    return { path: this.autosavePath, runs: session.runs.length };
  }

  /**
   * The last autosave, or null. One that no longer reads is moved aside (kept for a look, never
   * overwritten by the next autosave) and reported with its place.
   */
  async restoreAutosave(): Promise<{ path: string; session: SessionFile } | null> {
    try {
      return { path: this.autosavePath, session: await loadSession(this.autosavePath) };
    } catch (err) {
      if (err instanceof SessionFileError && /no such file/.test(err.message)) return null;
      const aside = `${this.autosavePath}.unreadable-${Date.now()}`;
      await rename(this.autosavePath, aside).catch(() => undefined);
      throw new SessionFileError(this.autosavePath, (err as { field?: string }).field ?? '', `${(err as Error).message.replace(`${this.autosavePath}: `, '')} (moved aside to ${aside})`);
    }
  }

  private drop(uploadId: string): void {
    const up = this.uploads.get(uploadId);
    if (!up) return;
    this.staged -= up.bytes;
    this.uploads.delete(uploadId);
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, up] of this.uploads) if (now - up.touched > UPLOAD_IDLE_MS) this.drop(id);
  }
}
