// The API's messages on a byte stream (the SSH channel of --on): whatever sizes the bytes arrive
// in, the reader gives back exactly the messages written, text and binary; a stream that is not
// ours is refused rather than guessed at.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamFrameReader, encodeStreamFrame, MAX_REPLY_FRAME_BYTES } from '../../src/shared/streamFrames';
import { encodeBinaryFrame } from '../../src/shared/wire';

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('stream frames', () => {
  it('gives back every message, text and binary, however the stream is cut', () => {
    const message = fc.oneof(
      fc.string({ maxLength: 300 }).map((s) => s as string | Uint8Array),
      fc.uint8Array({ maxLength: 300 }).map((b) => encodeBinaryFrame({ id: 1, ok: true, result: { name: 'x' } }, b) as string | Uint8Array),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }), (messages, cuts) => {
        const stream = concat(messages.map(encodeStreamFrame));
        const reader = new StreamFrameReader(MAX_REPLY_FRAME_BYTES);
        const got: (string | Uint8Array)[] = [];
        let at = 0;
        for (let k = 0; at < stream.length; k++) {
          const n = cuts[k % cuts.length];
          for (const m of reader.push(stream.subarray(at, at + n))) got.push('text' in m ? m.text : m.binary);
          at += n;
        }
        expect(got.map((g) => (typeof g === 'string' ? g : [...g]))).toEqual(messages.map((m) => (typeof m === 'string' ? m : [...m])));
        expect(reader.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a stream that is not CoreScope messages (a shell banner, a frame over the limit, an unknown kind)', () => {
    expect(() => new StreamFrameReader().push(new TextEncoder().encode('Welcome to Ubuntu 24.04 LTS\n'))).toThrow(/not a CoreScope message stream/);
    const huge = new Uint8Array(5);
    new DataView(huge.buffer).setUint32(0, 2 * 1024 * 1024);
    expect(() => new StreamFrameReader().push(huge)).toThrow(/limit/);
    const odd = encodeStreamFrame('{}');
    odd[4] = 7;
    expect(() => new StreamFrameReader().push(odd)).toThrow(/unknown kind 7/);
  });
});
