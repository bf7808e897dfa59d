// The schema of every kind of argument the API takes, by name. The method table
// (apiOverCall.ts) lists each method's arguments by these names; the dispatcher (schemas.ts)
// builds each method's tuple from them, and the argument types are inferred from them, so a
// request type and the check that guards it cannot drift. Everything that crosses a trust
// boundary into the engine (Electron IPC, the `serve` WebSocket) is rejected here first, with the
// offending field named; the engine validates again.
import { z } from 'zod';
import { InputError, RATE_HZ, STACKS_HZ, TIMEOUT_S } from './runLimits';
import { UPLOAD_PART_BYTES } from './wireLimits';

const paramValue = z.union([z.number().finite(), z.string().max(4096), z.boolean()]);
const runId = z.string().min(1).max(200);
const uploadId = z.string().regex(/^[\w-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -');
const rateHz = z.number().finite().min(RATE_HZ.min).max(RATE_HZ.max).optional();
const timeoutS = z.number().finite().min(TIMEOUT_S.min).max(TIMEOUT_S.max).optional();
/** 0 turns the stack probes off. */
const stacksHz = z.number().finite().min(0).max(STACKS_HZ.max).optional();
/** `[user@]host[:port]` of another machine (issue #18); the engine parses it (remote/sshTarget.ts). */
const machineHost = z.string().min(1).max(300);
/** Run there rather than here: a machine connected with connectMachine (or connected on the way). */
const on = machineHost.optional();

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
  stacksHz,
  python: z.string().min(1).max(4096).optional(),
  node: z.string().min(1).max(4096).optional(),
  on,
});

export const commandRunRequestSchema = z.strictObject({
  kind: z.literal('command'),
  cmd: z.string().min(1).max(65_536),
  cwd: z.string().min(1).max(4096).optional(),
  env: namedRecord(z.string().min(1).max(1024), z.string().max(65_536)).optional(),
  rateHz,
  timeoutS,
  stacksHz,
  on,
});

/** Watch a program that is already running, by pid; timeoutS is how long to watch at most. */
export const attachRunRequestSchema = z.strictObject({
  kind: z.literal('attach'),
  pid: z.number().int().min(1).max(4_194_304),
  rateHz,
  timeoutS,
  on,
});

export const runRequestSchema = z.discriminatedUnion('kind', [scenarioRunRequestSchema, commandRunRequestSchema, attachRunRequestSchema]);

/** What a front end asks the engine to run: a catalog scenario, a custom command line, or a running program to attach to. */
export type RunRequest = z.infer<typeof runRequestSchema>;

/** A request checked against its schema, or an InputError naming the first field that is wrong. */
export function parseRunRequest(input: unknown): RunRequest {
  const parsed = runRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'request';
  throw new InputError(field, `${field}: ${issue?.message ?? 'invalid request'}`);
}

export const sessionExportFormatSchema = z.enum(['session-gz', 'session-json', 'html', 'csv', 'trace']);
/** What exportSession makes of the current session: the session file itself, a report, or one run's samples/trace. */
export type SessionExportFormat = z.infer<typeof sessionExportFormatSchema>;

/**
 * A sweep the app ran, told to the engine by run id: the engine builds the sweep's result from
 * its own records of those runs (the app never sends measurements back).
 */
export const sweepRefSchema = z.strictObject({
  scenario: z.string().min(1).max(200),
  params: namedRecord(z.string().max(200), paramValue),
  taskCounts: z.array(z.number().int().min(1).max(1e6)).min(1).max(10_000),
  repeat: z.number().int().min(1).max(10_000),
  runs: z.array(z.strictObject({ runId, tasks: z.number().int().min(1).max(1e6), repeat: z.number().int().min(1).max(10_000) })).max(100_000),
  complete: z.boolean(),
});
export type SweepRef = z.infer<typeof sweepRefSchema>;

/** File names for saveFile: a plain base name, no directories (the user picks the folder). */
export const saveFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\\0]+$/, 'must be a file name without a directory');

/** PNGs arrive as bytes; CSV/JSON as text. 512 MiB is far above any real export. */
export const saveFileDataSchema = z.union([z.string().max(512 * 1024 * 1024), z.instanceof(Uint8Array)]);

/** Every kind of argument a method of the table may take; a name ending in `?` (in the table) makes it optional. */
export const argSchemas = {
  runRequest: runRequestSchema,
  runId,
  uploadId,
  partIndex: z.number().int().min(0).max(100_000),
  /** Raw bytes: a Uint8Array over IPC, the payload of a binary frame on the WebSocket (wire.ts). */
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be bytes').refine((b) => b.length <= UPLOAD_PART_BYTES, `must be at most ${UPLOAD_PART_BYTES} bytes`),
  fileName: z.string().min(1).max(255),
  exportFormat: sessionExportFormatSchema,
  comparison: z.array(z.strictObject({ uploadId, label: z.string().min(1).max(255) })).min(1).max(32),
  sweep: sweepRefSchema,
  machineHost,
} as const;

export type ArgKind = keyof typeof argSchemas;
/** The type of one kind of argument, as the engine receives it (after parsing). */
export type ArgType<K extends ArgKind> = z.output<(typeof argSchemas)[K]>;
