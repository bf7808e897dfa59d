// The one session decoder: bytes (gzip by its magic bytes, or plain JSON) into a validated
// SessionFile, for every door a session comes in by — a file the CLI loads (sessionFile.ts), the
// app's autosave, and a file the user uploads in the app (appSessions.ts). The decompressed size
// is capped (gunzipCapped.ts) before anything is parsed, and every failure names the file and,
// for content errors, the place in it.
import type { RunRecord } from '../../shared/types';
import { InputError } from '../../shared/runLimits';
import { describeIssue, parseSession, parseSessionOrRun, type ParseOutcome, type SessionFile } from '../../shared/sessionSchema';
import { DecompressedTooLarge, gunzipCapped } from './gunzipCapped';

/** Largest JSON text accepted after decompression (V8 strings stop a little above 512 MiB). */
export const MAX_SESSION_JSON_BYTES = 500 * 1024 * 1024;

/** The refusal of a gzip that inflates past MAX_SESSION_JSON_BYTES, naming the cap. */
export const TOO_LARGE_DECOMPRESSED = `decompresses to more than ${MAX_SESSION_JSON_BYTES / 1024 / 1024} MiB (${MAX_SESSION_JSON_BYTES} bytes), the limit for a session's JSON`;

/** A session file that cannot be read or does not validate; `field` is the place in the file. */
export class SessionFileError extends InputError {
  constructor(
    readonly file: string,
    place: string,
    detail: string,
  ) {
    super(place || 'file', `${file}: ${detail}`);
    this.name = 'SessionFileError';
  }
}

/** JSON bytes (plain, or gzip by its magic bytes) as parsed JSON; `label` names the file in errors. */
export async function decodeJsonBytes(raw: Buffer, label: string): Promise<unknown> {
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
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const msg = (err as Error).message;
    const at = /at position (\d+)/.exec(msg);
    const atEnd = /end of JSON input|Unterminated/i.test(msg) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    throw new SessionFileError(label, '', atEnd ? 'the JSON ends early (truncated?)' : `not valid JSON (${msg})`);
  }
}

function validated<T>(parsed: ParseOutcome<T>, label: string): T {
  if (!parsed.ok) throw new SessionFileError(label, parsed.issue.place, describeIssue(parsed.issue, parsed.issueCount));
  return parsed.value;
}

/** Session bytes into a validated session. */
export async function decodeSession(raw: Buffer, label: string): Promise<SessionFile> {
  return validated(parseSession(await decodeJsonBytes(raw, label)), label);
}

/** Bytes of a session, or of a single run record as `corescope run --out x.json` writes it. */
export async function decodeSessionOrRun(raw: Buffer, label: string): Promise<{ kind: 'session'; session: SessionFile } | { kind: 'run'; record: RunRecord }> {
  return validated(parseSessionOrRun(await decodeJsonBytes(raw, label)), label);
}
