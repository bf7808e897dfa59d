// A /proc file kept open between samples: re-reading from offset 0 of an open descriptor costs a
// quarter of an open/read/close cycle, which matters at 100 Hz across hundreds of threads.
import { closeSync, openSync, readSync } from 'node:fs';

const buffer = Buffer.allocUnsafe(64 * 1024);
/** A read this long may have stopped at a page boundary of a seq_file: read on to be sure. */
const MAYBE_PARTIAL_READ = 2048;
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * Opens that failed for lack of file descriptors (EMFILE/ENFILE) rather than because the task
 * was gone: the sampler then silently misses tasks, so runs report it (see Run).
 */
export const procOpenFailures = { noDescriptors: 0 };

export class ProcFile {
  private fd: number | null;

  private constructor(fd: number, readonly path: string) {
    this.fd = fd;
  }

  /** Opens the file, or returns null when it does not exist (the task is gone). */
  static open(path: string): ProcFile | null {
    try {
      return new ProcFile(openSync(path, 'r'), path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EMFILE' || code === 'ENFILE') procOpenFailures.noDescriptors++;
      return null;
    }
  }

  /** The file's current text, or null once the task behind it has exited. */
  read(): string | null {
    if (this.fd === null) return null;
    try {
      let buf = buffer;
      let total = readSync(this.fd, buf, 0, buf.length, 0);
      if (total === 0) return null;
      // seq_file-backed files (task/<tid>/children, …) give at most about a page per read(): a
      // parent with ~700 children has more behind the first read. Only a long read can be partial.
      for (let n = total; n >= MAYBE_PARTIAL_READ; total += n) {
        if (total === buf.length) {
          if (buf.length >= MAX_TEXT_BYTES) break;
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, total);
          buf = bigger;
        }
        n = readSync(this.fd, buf, total, buf.length - total, total);
      }
      return buf.toString('utf8', 0, total);
    } catch {
      // ESRCH: the task exited after we opened its file.
      this.close();
      return null;
    }
  }

  /**
   * The file's bytes from one read, as a view of a shared buffer that the next read overwrites;
   * null once the task has exited. For the small per-task files (stat, schedstat) read at every
   * sample: parsing bytes directly spares a string and its garbage per file per sample.
   */
  readBytes(): Buffer | null {
    if (this.fd === null) return null;
    try {
      const n = readSync(this.fd, buffer, 0, buffer.length, 0);
      return n === 0 ? null : buffer.subarray(0, n);
    } catch {
      this.close();
      return null;
    }
  }

  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed by the kernel side; nothing to release
      }
      this.fd = null;
    }
  }
}

/** Reads a /proc file once; null when it does not exist. */
export function readProcOnce(path: string): string | null {
  const f = ProcFile.open(path);
  if (!f) return null;
  try {
    return f.read();
  } finally {
    f.close();
  }
}
