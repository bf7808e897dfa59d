// The one API every front door speaks: Electron IPC (preload), the WebSocket of `serve`, and the
// engine itself implements it. Keep it small and serialisable (structured-clone / JSON safe).
import type { LiveBatch, RunRecord, RunResult, SystemInfo } from './types';

export type ParamValue = number | string | boolean;

export interface ScenarioParamSpec {
  name: string;
  label: string;
  kind: 'int' | 'number' | 'enum' | 'bool';
  default: ParamValue;
  min?: number;
  max?: number;
  choices?: string[];
  unit?: string;
  help: string;
}

export interface ScenarioInfo {
  id: string;
  title: string;
  runtime: 'python' | 'node' | 'custom';
  explanation: string;
  params: ScenarioParamSpec[];
  expectedVerdict: 'interleaved' | 'parallel' | 'waiting' | 'blocked' | 'any';
}

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
