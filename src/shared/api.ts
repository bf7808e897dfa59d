// The one API every front door speaks: Electron IPC (preload), the WebSocket of `serve`, and the
// engine itself implements it. Keep it small and serialisable (structured-clone / JSON safe; bytes
// as Uint8Array). Its request/response methods are the table in apiOverCall.ts; this file adds
// the event subscription and the Electron-only save door, and names the shared shapes.
import type { LiveBatch, RunResult } from './types';
import type { RunRequest } from './argSchemas';
import type { ApiMethodFn, CoreMethod, MachineMethod, SessionMethod } from './apiOverCall';

export type { RunRequest, SessionExportFormat, SweepRef } from './argSchemas';
export type { ApiCallMethod, ExportedFile, FileResult, SavedFile } from './apiOverCall';

/** Pushed from the engine to front ends. */
export type EngineEvent =
  | { type: 'run-started'; runId: string; request: RunRequest; startedAt: string }
  | { type: 'live'; batch: LiveBatch }
  | { type: 'run-finished'; runId: string; result: RunResult }
  | { type: 'run-failed'; runId: string; error: string }
  /** The standard suite on another machine (machines.runSuite): one line of its progress, `done` of `total` runs finished. */
  | { type: 'suite-progress'; host: string; line: string; done: number; total: number }
  /** …and its end: how much it recorded, and why it holds less than planned (stopped, connection lost), or null. */
  | { type: 'suite-finished'; host: string; runs: number; sweeps: number; failed: number; incomplete: string | null };

/** The table's methods: the core ones always there, the session and machine ones optional. */
type TableApi = { [M in CoreMethod]: ApiMethodFn<M> } & { [M in SessionMethod]?: ApiMethodFn<M> } & { [M in MachineMethod]?: ApiMethodFn<M> };

export interface CoreScopeApi extends TableApi {
  /** Subscribe to live batches and run lifecycle; returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /**
   * Saves a file the renderer made (a chart PNG, a run's JSON) through a native save dialog
   * (Electron only). Absent where the front end can download files itself (a browser); resolves
   * with saved:false when the user cancels.
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
