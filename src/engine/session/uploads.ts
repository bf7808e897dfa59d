// Files the user opens in the app reach the engine in parts (the WebSocket takes at most 1 MiB a
// message): each part is raw bytes (a binary frame on the WebSocket, a Uint8Array over IPC),
// staged here in order until the call that consumes the upload (loadSession, exportComparison)
// takes it. Limits per upload and in all keep a page from filling the engine's memory.
import { UPLOAD_PART_BYTES } from '../../shared/wireLimits';
import { InputError } from '../../shared/runLimits';

/** One upload's limit (a session file, compressed or not) and all uploads' together. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
export const MAX_STAGED_BYTES = 512 * 1024 * 1024;
const MAX_UPLOADS = 64;
/** An upload nobody consumed is dropped after this long without a new part. */
const UPLOAD_IDLE_MS = 10 * 60_000;

interface Upload {
  parts: Uint8Array[];
  bytes: number;
  touched: number;
}

export class Uploads {
  private readonly uploads = new Map<string, Upload>();
  private staged = 0;

  add(uploadId: string, index: number, part: Uint8Array): { bytes: number } {
    this.expire();
    if (!(part instanceof Uint8Array)) throw new InputError('bytes', 'an upload part must be bytes');
    if (part.length > UPLOAD_PART_BYTES) throw new InputError('bytes', `an upload part holds at most ${UPLOAD_PART_BYTES} bytes (got ${part.length})`);
    let up = this.uploads.get(uploadId);
    if (!up) {
      if (index !== 0) throw new InputError('index', `upload ${uploadId} is unknown or expired: send its part 0 first`);
      if (this.uploads.size >= MAX_UPLOADS) throw new InputError('uploadId', `too many uploads in progress (${MAX_UPLOADS}); finish or abandon some first`);
      up = { parts: [], bytes: 0, touched: Date.now() };
      this.uploads.set(uploadId, up);
    }
    if (index !== up.parts.length) throw new InputError('index', `upload ${uploadId} expects part ${up.parts.length} next (got ${index})`);
    if (up.bytes + part.length > MAX_UPLOAD_BYTES) {
      this.drop(uploadId);
      throw new InputError('bytes', `an upload may hold at most ${MAX_UPLOAD_BYTES} bytes`);
    }
    if (this.staged + part.length > MAX_STAGED_BYTES) throw new InputError('bytes', 'the engine holds too many unfinished uploads; try again shortly');
    up.parts.push(part);
    up.bytes += part.length;
    up.touched = Date.now();
    this.staged += part.length;
    return { bytes: up.bytes };
  }

  /** Takes an upload's bytes (each upload is consumed once). */
  take(uploadId: string): Buffer {
    const up = this.uploads.get(uploadId);
    if (!up) throw new InputError('uploadId', `no upload ${JSON.stringify(uploadId)}: send its parts with uploadPart first`);
    this.drop(uploadId);
    return Buffer.concat(up.parts);
  }

  private drop(uploadId: string): void {
    const up = this.uploads.get(uploadId);
    if (!up) return;
    this.staged -= up.bytes;
    this.uploads.delete(uploadId);
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, up] of this.uploads) if (now - up.touched > UPLOAD_IDLE_MS) this.drop(id);
  }
}
