// The API's method table, and every method of it built on one `call(method, ...args)` function,
// so the front doors (Electron IPC in the preload, the WebSocket in a browser) differ only in how
// a call travels, never in the list of methods.
//
// Adding a method is one line in API_METHODS plus the engine's implementation: the argument
// types come from the schemas named here (argSchemas.ts, checked by the dispatcher in
// schemas.ts), the result type is written here, and CoreScopeApi, the preload, both renderer
// clients, the IPC handler and serve's dispatcher are all made from this table. This file has no
// zod in it on purpose: the sandboxed preload bundles it, and needs only the names.
import type { ArgKind, ArgType } from './argSchemas';
import type { MachineEntry, RunningProcess, ScenarioInfo } from './model';
import type { SessionFile } from './sessionSchema';
import type { RunRecord, SystemInfo } from './types';

/** A file the engine made (a session, a report, a run's samples): text, or bytes (never base64). */
export interface ExportedFile<D extends string | Uint8Array = string | Uint8Array> {
  name: string;
  mime: string;
  data: D;
}

/** Where a front door that saves files itself (Electron's save dialog) put an exported file. */
export interface SavedFile {
  name: string;
  saved: boolean;
  path?: string;
}

/**
 * What a method that makes a file answers: the file, for a browser to download, or — where the
 * front door saved it itself (Electron's shell, through its save dialog) — where it went.
 */
export type FileResult = ExportedFile | SavedFile;

/** The result type of a method, carried by the table as a type only (the value is never read). */
const returns = <T>(): T => undefined as T;

interface MethodSpec {
  /** Argument kinds (argSchemas.ts) in order; a trailing `?` makes that argument optional. */
  readonly args: readonly string[];
  readonly result: unknown;
  /** The result is a FileResult: Electron's shell saves it through its dialog, a browser downloads it. */
  readonly file?: true;
}

/**
 * Every request/response method (onEvent is a subscription and saveFile an Electron-only door,
 * both outside the table). `core` is answered by every engine; `sessions` may be absent (an
 * engine stub without them still speaks the rest; the app hides its session features).
 */
export const API_METHODS = {
  core: {
    info: { args: [], result: returns<SystemInfo>() },
    listScenarios: { args: [], result: returns<ScenarioInfo[]>() },
    /** Validates and starts a run; resolves with its id as soon as the workload is spawned. */
    startRun: { args: ['runRequest'], result: returns<{ runId: string }>() },
    cancelRun: { args: ['runId'], result: returns<void>() },
    /** The full record (samples, events, output) of a finished run. */
    getRun: { args: ['runId'], result: returns<RunRecord>() },
    /**
     * Running programs one may attach to (startRun with kind 'attach'), busiest first, with CPU
     * since the previous call: this machine's, or those of a connected machine (`machineHost`).
     */
    listProcesses: { args: ['machineHost?'], result: returns<RunningProcess[]>() },
  },
  sessions: {
    /** Adds part `index` (0, 1, 2… in order) of the upload `uploadId`: bytes of a file the user opened. */
    uploadPart: { args: ['uploadId', 'partIndex', 'bytes'], result: returns<{ bytes: number }>() },
    /** Reads an uploaded session file (JSON, gzip allowed); an error's `field` is the place in the file. */
    loadSession: { args: ['uploadId', 'fileName'], result: returns<SessionFile>() },
    /** The engine's current session (or one run of it: csv, trace) as a file, stamped with this machine. */
    exportSession: { args: ['exportFormat', 'runId?'], result: returns<FileResult>(), file: true },
    /** Uploaded sessions (machines) as one self-contained HTML comparison report. */
    exportComparison: { args: ['comparison'], result: returns<FileResult>(), file: true },
    /** Records the sweep (if any) in the current session, then writes the session to the autosave file. */
    autosave: { args: ['sweep?'], result: returns<{ path: string; runs: number }>() },
    /** Merges the last autosave into the current session and returns it; null when there is none. */
    restoreAutosave: { args: [], result: returns<{ path: string; session: SessionFile } | null>() },
  },
  machines: {
    /**
     * Connects to `[user@]host[:port]` over the system's ssh (sending CoreScope there the first
     * time), keeps the connection for runs with `on: host`, remembers the machine among the recent
     * ones, and answers its profile. A machine that cannot be reached is a bad-input error on `host`.
     */
    connectMachine: { args: ['machineHost'], result: returns<MachineEntry>() },
    /** The machines connected now or used before, most recent first. */
    listMachines: { args: [], result: returns<MachineEntry[]>() },
    /**
     * A connected machine's own session (the runs made there from here, stamped with that
     * machine's hardware) as a file: session-gz, session-json or its html report.
     */
    exportMachineSession: { args: ['machineHost', 'exportFormat'], result: returns<FileResult>(), file: true },
    /**
     * Starts the standard suite (every scenario at its defaults, then the CPU-bound sweeps up to
     * its core count) on a connected machine, one run at a time there; its progress comes as
     * suite-progress events, its end as suite-finished. Resolves with how many runs it will make.
     */
    runSuite: { args: ['machineHost'], result: returns<{ host: string; runs: number }>() },
    /** Stops the suite going on a machine: the run going there is cancelled, what finished is kept. */
    stopSuite: { args: ['machineHost'], result: returns<void>() },
  },
} as const satisfies Record<'core' | 'sessions' | 'machines', Record<string, MethodSpec>>;

type Table = typeof API_METHODS;
export type CoreMethod = keyof Table['core'];
export type SessionMethod = keyof Table['sessions'];
export type MachineMethod = keyof Table['machines'];
export type ApiCallMethod = CoreMethod | SessionMethod | MachineMethod;
type Spec<M extends ApiCallMethod> = M extends CoreMethod ? Table['core'][M] : M extends SessionMethod ? Table['sessions'][M] : M extends MachineMethod ? Table['machines'][M] : never;

/** The argument kinds' types as a parameter list, a trailing `kind?` as an optional parameter. */
type Params<A extends readonly string[]> = A extends readonly [infer H extends string, ...infer R extends readonly string[]]
  ? H extends `${infer K extends ArgKind}?`
    ? [ArgType<K>?, ...Params<R>]
    : H extends ArgKind
      ? [ArgType<H>, ...Params<R>]
      : never
  : [];

export type ApiArgs<M extends ApiCallMethod> = Params<Spec<M>['args']>;
export type ApiResult<M extends ApiCallMethod> = Spec<M>['result'];
export type ApiMethodFn<M extends ApiCallMethod> = (...args: ApiArgs<M>) => Promise<ApiResult<M>>;

/** Every method of the table, as a front end calls it. */
export type CalledApi = { [M in ApiCallMethod]: ApiMethodFn<M> };

const methods = { ...API_METHODS.core, ...API_METHODS.sessions, ...API_METHODS.machines } as Record<ApiCallMethod, MethodSpec>;

/** Every method's name, in table order. */
export const API_CALL_NAMES = Object.keys(methods) as ApiCallMethod[];

export function isApiCallMethod(name: unknown): name is ApiCallMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** The argument kinds of a method (`kind?` for an optional one). */
export const argKindsOf = (method: ApiCallMethod): readonly string[] => methods[method].args;

/** Whether a method's last argument is raw bytes (on the WebSocket: a binary frame, the only kind serve takes). */
export const sendsBytes = (method: ApiCallMethod): boolean => methods[method].args.at(-1) === 'bytes';

/** Whether a method answers with a file (FileResult). */
export const returnsFile = (method: ApiCallMethod): boolean => methods[method].file === true;

export type ApiCall = (method: ApiCallMethod, ...args: unknown[]) => Promise<unknown>;

export function apiOverCall(call: ApiCall): CalledApi {
  // Trailing undefined arguments are left off, so an optional argument not given is absent on
  // every transport (JSON has no undefined in a list: it would arrive as null and be refused).
  const trimmed = (args: unknown[]): unknown[] => {
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n--;
    return args.slice(0, n);
  };
  return Object.fromEntries(API_CALL_NAMES.map((m) => [m, (...args: unknown[]) => call(m, ...trimmed(args))])) as CalledApi;
}
