// Runtime schemas for everything that crosses a trust boundary into the engine (Electron IPC,
// the `serve` WebSocket). The engine validates again; these reject garbage at the door so a
// malformed message never reaches it, and name the offending field in the error.
import { z } from 'zod';
import { UPLOAD_PART_BYTES, type ApiErrorShape, type ApiReply, type CoreScopeApi } from './api';
import { RATE_HZ, TIMEOUT_S } from './runLimits';

const paramValue = z.union([z.number().finite(), z.string().max(4096), z.boolean()]);
const runId = z.string().min(1).max(200);
const uploadId = z.string().regex(/^[\w-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -');
const rateHz = z.number().finite().min(RATE_HZ.min).max(RATE_HZ.max).optional();
const timeoutS = z.number().finite().min(TIMEOUT_S.min).max(TIMEOUT_S.max).optional();

/**
 * z.record, but a key named "__proto__" is refused by name instead of being dropped in silence
 * (zod skips it, so `params: {"__proto__": …}` would otherwise pass as if it were not there).
 */
const namedRecord = <V extends z.ZodType>(key: z.ZodString, value: V) =>
  z.preprocess((v, ctx) => {
    if (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, '__proto__')) {
      ctx.addIssue({ code: 'custom', message: 'the name "__proto__" is not allowed', path: ['__proto__'] });
    }
    return v;
  }, z.record(key, value));

export const scenarioRunRequestSchema = z.strictObject({
  kind: z.literal('scenario'),
  scenario: z.string().min(1).max(200),
  params: namedRecord(z.string().max(200), paramValue),
  rateHz,
  timeoutS,
  python: z.string().min(1).max(4096).optional(),
  node: z.string().min(1).max(4096).optional(),
});

export const commandRunRequestSchema = z.strictObject({
  kind: z.literal('command'),
  cmd: z.string().min(1).max(65_536),
  cwd: z.string().min(1).max(4096).optional(),
  env: namedRecord(z.string().min(1).max(1024), z.string().max(65_536)).optional(),
  rateHz,
  timeoutS,
});

export const runRequestSchema = z.discriminatedUnion('kind', [scenarioRunRequestSchema, commandRunRequestSchema]);

/** File names for saveFile: a plain base name, no directories (the user picks the folder). */
export const saveFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\\0]+$/, 'must be a file name without a directory');

/** PNGs arrive as bytes; CSV/JSON as text. 512 MiB is far above any real export. */
export const saveFileDataSchema = z.union([z.string().max(512 * 1024 * 1024), z.instanceof(Uint8Array)]);

/**
 * Argument tuples of each request/response method of CoreScopeApi (onEvent is a subscription,
 * not a call). Both front doors dispatch through this table, so adding a method is one line.
 */
export const apiCallArgs = {
  info: z.tuple([]),
  listScenarios: z.tuple([]),
  startRun: z.tuple([runRequestSchema]),
  cancelRun: z.tuple([runId]),
  getRun: z.tuple([runId]),
  uploadPart: z.tuple([uploadId, z.number().int().min(0).max(100_000), z.string().max(Math.ceil(UPLOAD_PART_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')]),
  loadSession: z.tuple([uploadId, z.string().min(1).max(255)]),
  exportSession: z.tuple([uploadId, z.enum(['session-gz', 'session-json', 'html', 'csv', 'trace']), runId.optional()]),
  exportComparison: z.tuple([z.array(z.strictObject({ uploadId, label: z.string().min(1).max(255) })).min(1).max(32)]),
  autosave: z.tuple([uploadId]),
  restoreAutosave: z.tuple([]),
} as const;

export type ApiCallMethod = keyof typeof apiCallArgs;

// Compile-time check that every table entry is a real API method.
type _Check = { [K in ApiCallMethod]: CoreScopeApi[K] };

export function isApiCallMethod(name: unknown): name is ApiCallMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiCallArgs, name);
}

/** A validation failure as the front ends show it: a field path and a message. */
export interface ArgIssue {
  field: string;
  message: string;
}

/**
 * Validates the arguments of an API call. Field paths drop the tuple index so they read like
 * the engine's (`params.tasks`, not `0.params.tasks`).
 */
export function parseApiCallArgs(
  method: ApiCallMethod,
  args: unknown,
): { ok: true; args: unknown[] } | { ok: false; issues: ArgIssue[] } {
  const parsed = apiCallArgs[method].safeParse(args);
  if (parsed.success) return { ok: true, args: parsed.data as unknown[] };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      field: issue.path.slice(1).map(String).join('.') || 'args',
      message: issue.message,
    })),
  };
}

const errorCodes = new Set<ApiErrorShape['code']>(['bad-input', 'not-found', 'run-failed', 'internal']);

/** Turns whatever the engine threw into the serialisable shape the front ends show. */
export function toApiErrorShape(err: unknown): ApiErrorShape {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; field?: unknown; code?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const field = typeof e.field === 'string' ? e.field : undefined;
  const code = errorCodes.has(e.code as ApiErrorShape['code'])
    ? (e.code as ApiErrorShape['code'])
    : field !== undefined
      ? 'bad-input'
      : /not found|unknown run/i.test(message)
        ? 'not-found'
        : 'internal';
  return field === undefined ? { message, code } : { message, field, code };
}

/**
 * The one place a front door turns an untrusted (method, args) pair into an engine call.
 * Never throws: every failure becomes an error reply naming the problem, and nothing reaches
 * the engine unless the method exists and its arguments parse.
 */
export async function dispatchApiCall(api: CoreScopeApi, method: unknown, args: unknown): Promise<ApiReply> {
  if (!isApiCallMethod(method)) {
    return { ok: false, error: { code: 'bad-input', field: 'method', message: `unknown method ${JSON.stringify(method)}; expected one of ${Object.keys(apiCallArgs).join(', ')}` } };
  }
  const parsed = parseApiCallArgs(method, args);
  if (!parsed.ok) {
    const first = parsed.issues[0];
    return {
      ok: false,
      error: { code: 'bad-input', field: first.field, message: `bad arguments for ${method}: ${parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}` },
    };
  }
  try {
    const fn = api[method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (typeof fn !== 'function') return { ok: false, error: { code: 'bad-input', field: 'method', message: `${method} is not supported by this engine` } };
    const result = await fn.apply(api, parsed.args);
    return { ok: true, result: result ?? null };
  } catch (err) {
    return { ok: false, error: toApiErrorShape(err) };
  }
}
