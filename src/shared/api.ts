// The one API every front door speaks: Electron IPC (preload), the WebSocket of `serve`, and the
// engine itself implements it. Keep it small and serialisable (structured-clone / JSON safe).
import type { LiveBatch, RunRecord, RunResult, SystemInfo } from './types';
import type { SessionFile } from './sessionSchema';
import type { ParamValue, ScenarioInfo } from './model';

/** What a front end asks the engine to run: a catalog scenario, or a custom command line. */
export type RunRequest =
  | {
      kind: 'scenario';
      scenario: string;
      params: Record<string, ParamValue>;
      rateHz?: number;
      timeoutS?: number;
      python?: string;
      node?: string;
    }
  | {
      kind: 'command';
      cmd: string;
      cwd?: string;
      env?: Record<string, string>;
      rateHz?: number;
      timeoutS?: number;
    };

/** What exportSession makes of a session: the session file itself, a report, or one run's samples/trace. */
export type SessionExportFormat = 'session-gz' | 'session-json' | 'html' | 'csv' | 'trace';

/** A file made by the engine for the front end to save: text, or bytes as base64 (JSON-safe on every transport). */
export interface ExportedFile {
  name: string;
  mime: string;
  encoding: 'utf8' | 'base64';
  data: string;
}

/**
 * Large inputs (session files, the session to save) reach the engine in parts: the WebSocket
 * takes at most 1 MiB a message. Each part is at most UPLOAD_PART_BYTES bytes, base64-encoded.
 */
export const UPLOAD_PART_BYTES = 512 * 1024;

/** Pushed from the engine to front ends. */
export type EngineEvent =
  | { type: 'run-started'; runId: string; request: RunRequest; startedAt: string }
  | { type: 'live'; batch: LiveBatch }
  | { type: 'run-finished'; runId: string; result: RunResult }
  | { type: 'run-failed'; runId: string; error: string };

export interface CoreScopeApi {
  info(): Promise<SystemInfo>;
  listScenarios(): Promise<ScenarioInfo[]>;
  /** Validates and starts a run; resolves with its id as soon as the workload is spawned. */
  startRun(request: RunRequest): Promise<{ runId: string }>;
  cancelRun(runId: string): Promise<void>;
  /** The full record (samples, events, output) of a finished run. */
  getRun(runId: string): Promise<RunRecord>;
  /** Subscribe to live batches and run lifecycle; returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  // Sessions (optional: an engine stub without them still speaks the rest of the API; the app
  // hides its session features where they are absent).
  /** Adds part `index` (0, 1, 2… in order) of the upload `uploadId`; the call that consumes the upload names it. */
  uploadPart?(uploadId: string, index: number, base64: string): Promise<{ bytes: number }>;
  /**
   * Reads an uploaded session file (JSON, gzip allowed) and validates it with the shared schema.
   * Rejects with an error whose `field` is the place in the file (`runs[2].samples.rateHz`).
   */
  loadSession?(uploadId: string, fileName: string): Promise<SessionFile>;
  /**
   * The uploaded session (the runs and sweeps of the app's current session) stamped by the
   * engine with this machine's hardware profile and the runtimes the runs used, as a file.
   * csv and trace export one run: `runId`, or the session's last run.
   */
  exportSession?(uploadId: string, format: SessionExportFormat, runId?: string): Promise<ExportedFile>;
  /** Several uploaded sessions (machines) as one self-contained HTML comparison report. */
  exportComparison?(sessions: { uploadId: string; label: string }[]): Promise<ExportedFile>;
  /** Validates the uploaded session and writes it atomically to the engine's state dir. */
  autosave?(uploadId: string): Promise<{ path: string; runs: number }>;
  /** The last autosaved session, or null when there is none. */
  restoreAutosave?(): Promise<{ path: string; session: SessionFile } | null>;
  /**
   * Saves an export through a native save dialog (Electron only). Absent where the front end
   * can download files itself (a browser); resolves with saved:false when the user cancels.
   */
  saveFile?(name: string, data: string | Uint8Array): Promise<{ saved: boolean; path?: string }>;
}

/** An error with a field path, so front ends can show it next to the right input. */
export interface ApiErrorShape {
  message: string;
  field?: string;
  code: 'bad-input' | 'not-found' | 'run-failed' | 'internal';
}

/** The envelope both front doors (IPC and WebSocket) answer a call with. */
export type ApiReply<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorShape };
