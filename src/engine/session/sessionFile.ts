// Session files on disk: saved atomically (temp file, fsync, rename, so a crash mid-save never
// leaves half a session), only to a regular file (outputPath.ts), gzip when the name ends in
// .gz; loaded with size caps checked before anything is parsed, gzip detected by its magic
// bytes, and every failure reported with the file name and, for content errors, the place in
// the file.
import type { Stats } from 'node:fs';
import { open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import { createGzip } from 'node:zlib';
import type { RunRecord } from '../../shared/types';
import { batched, jsonChunks } from '../../shared/jsonChunks';
import { checkOutputTarget, OutputPathError, type OutputCheck } from './outputPath';
import { removeStaleTemps, tempNameFor } from './tempFiles';
import type { SessionFile } from '../../shared/sessionSchema';
import { SessionFileError, decodeSession, decodeSessionOrRun } from './decodeSession';

export { MAX_SESSION_JSON_BYTES, SessionFileError, TOO_LARGE_DECOMPRESSED } from './decodeSession';

/** Largest file accepted on disk (compressed or not). */
export const MAX_SESSION_FILE_BYTES = 1024 * 1024 * 1024;

export const isGzipName = (path: string): boolean => /\.gz$/i.test(path);
export const isSessionName = (path: string): boolean => /\.session\.json(\.gz)?$/i.test(path);

/** Writes bytes so that `path` holds either its old content or all of the new, never a mix. */
export async function writeFileDurable(path: string, data: string | Uint8Array, check: OutputCheck = {}): Promise<void> {
  await writeDurable(path, (fh) => fh.writeFile(data), check);
}

/** A write that failed, named by the path the user gave rather than the hidden temp file. */
function writeError(path: string, check: OutputCheck, err: unknown): Error {
  if (err instanceof OutputPathError) return err;
  const e = err as NodeJS.ErrnoException;
  // Node's message ends with the syscall and the temp file's name, which the user never gave.
  const why = e.code ? e.message.replace(/, \w+ '.*'$/s, '') : e.message;
  return new Error(`${check.option ?? 'output file'}: cannot write ${JSON.stringify(path)}: ${why}`);
}

/**
 * As writeFileDurable, with the content written by `write` (streamed, for large files). The
 * target is checked again here (checkOutputTarget: the path may have changed since the command
 * started) and once more just before the rename. A symlink is followed: its target is replaced,
 * from a temp file in the target's own folder (a rename cannot cross file systems), and the link
 * stays a link. An existing file keeps its permission bits (and, when we may, its owner).
 */
export async function writeDurable(path: string, write: (fh: FileHandle) => Promise<void>, check: OutputCheck = {}): Promise<void> {
  const { file, existing } = checkOutputTarget(path, check);
  const dir = dirname(file);
  await removeStaleTemps(dir, basename(file));
  const tmp = join(dir, tempNameFor(basename(file)));
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      if (existing) await keepOwnership(fh, existing);
      await write(fh);
      await fh.sync();
    } finally {
      await fh.close();
    }
    checkOutputTarget(path, check);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw writeError(path, check, err);
  }
  // Make the rename itself durable where the platform allows syncing a directory.
  try {
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // not supported here (e.g. Windows): the rename is still atomic
  }
}

/** The replacement gets the old file's mode (not the umask's default) and, as root, its owner. */
async function keepOwnership(fh: FileHandle, old: Stats): Promise<void> {
  // Permission bits only: set-id bits are not carried over to a file we wrote.
  await fh.chmod(old.mode & 0o777);
  if (process.getuid?.() === 0 && (old.uid !== 0 || old.gid !== 0)) await fh.chown(old.uid, old.gid).catch(() => undefined);
}

/**
 * Saves a session: JSON, gzip-compressed when the name ends in .gz. The text is streamed from the
 * session's data into the file (through gzip), never held whole: a long recording's JSON is
 * several times its data, and holding it (then its gzip) was most of a save's memory.
 */
export async function saveSession(path: string, session: SessionFile, check: OutputCheck = {}): Promise<void> {
  await writeDurable(path, async (fh) => {
    const text = Readable.from(batched(jsonChunks(session)));
    const toFile = async (source: AsyncIterable<Buffer | string>): Promise<void> => {
      // writeFile writes all of it at the current position (write() may write less).
      for await (const chunk of source) await fh.writeFile(chunk);
    };
    if (isGzipName(path)) await pipeline(text, createGzip({ level: 6 }), toFile);
    else await pipeline(text, toFile);
  }, check);
}

/** A file's bytes, after the checks a path needs (exists, a regular file, within the size cap). */
async function readSessionBytes(path: string): Promise<Buffer> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new SessionFileError(path, '', 'not a file');
    size = st.size;
  } catch (err) {
    if (err instanceof SessionFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new SessionFileError(path, '', code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`);
  }
  if (size > MAX_SESSION_FILE_BYTES) throw new SessionFileError(path, '', `too large (${size} bytes; the limit is ${MAX_SESSION_FILE_BYTES} bytes)`);
  if (size === 0) throw new SessionFileError(path, '', 'the file is empty');
  try {
    return await readFile(path);
  } catch (err) {
    throw new SessionFileError(path, '', `cannot read: ${(err as Error).message}`);
  }
}

/** Loads and validates a session file (through the one session decoder). */
export async function loadSession(path: string): Promise<SessionFile> {
  return decodeSession(await readSessionBytes(path), path);
}

/** Loads a session, or a single run record as `corescope run --out x.json` writes it. */
export async function loadSessionOrRun(path: string): Promise<{ kind: 'session'; session: SessionFile } | { kind: 'run'; record: RunRecord }> {
  return decodeSessionOrRun(await readSessionBytes(path), path);
}
