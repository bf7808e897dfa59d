// The door every call passes through: each method's argument tuple, built from the method table
// (apiOverCall.ts) and the argument schemas (argSchemas.ts), and the one dispatcher both front
// doors (Electron IPC, the `serve` WebSocket) use. A malformed message never reaches the engine,
// and the error names the offending field.
import { z } from 'zod';
import { argSchemas, type ArgKind } from './argSchemas';
import { API_CALL_NAMES, argKindsOf, isApiCallMethod, type ApiCallMethod } from './apiOverCall';
import type { ApiErrorShape, ApiReply } from './api';

export { isApiCallMethod };
export { runRequestSchema, saveFileDataSchema, saveFileNameSchema } from './argSchemas';

function tupleOf(kinds: readonly string[]): z.ZodTuple {
  const items = kinds.map((k) => {
    const optional = k.endsWith('?');
    const kind = (optional ? k.slice(0, -1) : k) as ArgKind;
    // A kind without a schema is a mistake in the table: fail at startup, not on a call.
    if (!Object.prototype.hasOwnProperty.call(argSchemas, kind)) throw new Error(`the API table names an argument kind with no schema: ${kind}`);
    const schema: z.ZodType = argSchemas[kind];
    return optional ? schema.optional() : schema;
  });
  return z.tuple(items as [z.ZodType, ...z.ZodType[]]);
}

/**
 * Argument tuples of each request/response method, by name (onEvent is a subscription, not a
 * call). Both front doors dispatch through this table.
 */
export const apiCallArgs = Object.fromEntries(API_CALL_NAMES.map((m) => [m, tupleOf(argKindsOf(m))])) as Record<ApiCallMethod, z.ZodTuple>;

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

/** What the dispatcher can call: any object with some of the table's methods (the engine, a stub). */
export type ApiImplementation = { [M in ApiCallMethod]?: unknown };

/**
 * The one place a front door turns an untrusted (method, args) pair into an engine call.
 * Never throws: every failure becomes an error reply naming the problem, and nothing reaches
 * the engine unless the method exists and its arguments parse.
 */
export async function dispatchApiCall(api: ApiImplementation, method: unknown, args: unknown): Promise<ApiReply> {
  if (!isApiCallMethod(method)) {
    return { ok: false, error: { code: 'bad-input', field: 'method', message: `unknown method ${JSON.stringify(method)}; expected one of ${API_CALL_NAMES.join(', ')}` } };
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
    const fn = api[method];
    if (typeof fn !== 'function') return { ok: false, error: { code: 'bad-input', field: 'method', message: `${method} is not supported by this engine` } };
    const result: unknown = await fn.apply(api, parsed.args);
    return { ok: true, result: result ?? null };
  } catch (err) {
    return { ok: false, error: toApiErrorShape(err) };
  }
}
