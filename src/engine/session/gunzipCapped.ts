// Decompressing a session file without trusting its gzip: a 2 MB file can inflate to gigabytes.
// The decompressed size is counted first, with each chunk dropped as soon as it is counted, so a
// bomb is refused after at most `cap` bytes of inflating (well under a second) and a few MiB of
// memory; only a file within the cap is inflated again, into one buffer of its exact size.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Thrown when the content inflates past the cap; `cap` is in bytes. */
export class DecompressedTooLarge extends Error {
  constructor(readonly cap: number) {
    super(`decompresses to more than ${cap} bytes`);
    this.name = 'DecompressedTooLarge';
  }
}

const CHUNK = 1024 * 1024;

function inflate(gz: Buffer): AsyncIterable<Buffer> {
  const z = createGunzip({ chunkSize: CHUNK });
  Readable.from([gz]).pipe(z);
  return z;
}

/** Inflates gzip bytes, refusing (DecompressedTooLarge) content larger than `cap`; gzip errors propagate as zlib reports them. */
export async function gunzipCapped(gz: Buffer, cap: number): Promise<Buffer> {
  let size = 0;
  for await (const chunk of inflate(gz)) {
    size += chunk.length;
    // Leaving the loop destroys the stream: nothing more is inflated.
    if (size > cap) throw new DecompressedTooLarge(cap);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const chunk of inflate(gz)) at += chunk.copy(out, at);
  return out;
}
