// A /proc file kept open between samples: re-reading from offset 0 of an open descriptor costs a
// quarter of an open/read/close cycle, which matters at 100 Hz across hundreds of threads.
import { closeSync, openSync, readSync } from 'node:fs';

const buffer = Buffer.allocUnsafe(64 * 1024);

export class ProcFile {
  private fd: number | null;

  private constructor(fd: number, readonly path: string) {
    this.fd = fd;
  }

  /** Opens the file, or returns null when it does not exist (the task is gone). */
  static open(path: string): ProcFile | null {
    try {
      return new ProcFile(openSync(path, 'r'), path);
    } catch {
      return null;
    }
  }

  /** The file's current text, or null once the task behind it has exited. */
  read(): string | null {
    if (this.fd === null) return null;
    try {
      const n = readSync(this.fd, buffer, 0, buffer.length, 0);
      if (n === 0) return null;
      return buffer.toString('utf8', 0, n);
    } catch {
      // ESRCH: the task exited after we opened its file.
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
