// Validation that speaks to people: schema building blocks whose every message says what was
// expected ("must be a whole number from 1 to 4096"), and a failed validation as one sentence
// that names the place: `runs[2].samples.rateHz: must be a number from 1 to 100 (got 500)`.
// Session files are edited, truncated and hand-made; whoever opens a bad one must learn where
// and what, not read a zod issue dump. Pure TypeScript; the session format (sessionSchema.ts)
// is built from these for every file the engine loads or the app uploads.
import { z } from 'zod';

// ---- building blocks with messages people can act on -------------------------------------

const fmt = (n: number): string => (Math.abs(n) >= 1e6 ? n.toExponential(0).replace('e+', 'e') : String(n));

export const num = (min: number, max: number, what = 'a number'): z.ZodNumber => {
  const msg = `must be ${what} from ${fmt(min)} to ${fmt(max)}`;
  return z.number({ error: msg }).min(min, msg).max(max, msg);
};
export const int = (min: number, max: number): z.ZodNumber => num(min, max, 'a whole number').int(`must be a whole number from ${fmt(min)} to ${fmt(max)}`);
export const text = (max: number, min = 0): z.ZodString => {
  const msg = min > 0 ? `must be text of ${min} to ${max} characters` : `must be text of at most ${max} characters`;
  return z.string({ error: msg }).min(min, msg).max(max, msg);
};
export const bool = z.boolean({ error: 'must be true or false' });
export const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
export const list = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item, { error: 'must be a list' }).max(max, `must have at most ${max} entries`);
export const obj = <S extends z.ZodRawShape>(shape: S) => z.object(shape, { error: 'must be an object' });

/**
 * A list of numbers checked in one tight loop (sample columns hold millions): the first bad
 * entry is reported by index. With `nullAsNaN`, null (what JSON makes of NaN) reads back as NaN.
 */
export function numbers(o: { min: number; max: number; maxLen: number; what?: string; integer?: boolean; nullAsNaN?: boolean }) {
  const what = o.what ?? (o.integer ? 'a whole number' : 'a number');
  const msg = `must be ${o.nullAsNaN ? 'null or ' : ''}${what} from ${fmt(o.min)} to ${fmt(o.max)}`;
  return z
    .any()
    .superRefine((v: unknown, ctx) => {
      if (!Array.isArray(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a list of numbers' });
        return;
      }
      if (v.length > o.maxLen) {
        ctx.addIssue({ code: 'custom', message: `must have at most ${o.maxLen} entries (got ${v.length})` });
        return;
      }
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === null && o.nullAsNaN) continue;
        if (typeof x !== 'number' || !(x >= o.min && x <= o.max) || (o.integer && !Number.isInteger(x))) {
          ctx.addIssue({ code: 'custom', message: msg, path: [i] });
          return;
        }
      }
    })
    .transform((v: unknown) => (o.nullAsNaN && Array.isArray(v) ? v.map((x) => (x === null ? NaN : x)) : v) as number[]);
}

/** A record with bounded keys and a limit on how many. */
export const boundedRecord = <T extends z.ZodType>(value: T, maxKeys: number, keyMax: number) =>
  z.record(text(keyMax), value, { error: 'must be an object' }).refine((r) => Object.keys(r).length <= maxKeys, `must have at most ${maxKeys} entries`);

// ---- a failed validation as a sentence ------------------------------------------------------

export interface SessionIssue {
  /** Where, as a path people can read: `runs[2].samples.rateHz`; empty for the whole file. */
  place: string;
  message: string;
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; issue: SessionIssue; issueCount: number };

/** `runs[2].samples.rateHz` from ['runs', 2, 'samples', 'rateHz']. */
export function formatPlace(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_$][\w$]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

/** A short rendering of what was found at a place, for "(got …)". */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

/** Validates with a schema; on failure, the first issue as a sentence and how many there were. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, prefix: PropertyKey[] = []): ParseOutcome<z.output<S>> {
  let parsed: ReturnType<z.ZodType['safeParse']>;
  try {
    parsed = schema.safeParse(data);
  } catch (err) {
    // A check that trips over a malformed neighbour must still end in an error, not a crash.
    return { ok: false, issue: { place: formatPlace(prefix), message: `could not be validated (${(err as Error).message})` }, issueCount: 1 };
  }
  if (parsed.success) return { ok: true, value: parsed.data as z.output<S> };
  const first = parsed.error.issues[0];
  const path = [...prefix, ...first.path];
  const place = formatPlace(path);
  const got = valueAt(data, first.path);
  const message = /\bgot /.test(first.message) ? first.message : got === undefined ? `${first.message} (missing)` : `${first.message} (got ${shown(got)})`;
  return { ok: false, issue: { place, message }, issueCount: parsed.error.issues.length };
}

/** "runs[2].samples.rateHz: must be … (got 500)" */
export function describeIssue(issue: SessionIssue, issueCount = 1): string {
  const more = issueCount > 1 ? ` (and ${issueCount - 1} more problem${issueCount > 2 ? 's' : ''})` : '';
  return `${issue.place ? `${issue.place}: ` : ''}${issue.message}${more}`;
}
