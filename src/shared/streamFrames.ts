// The API's messages on a byte stream (an SSH channel's stdin/stdout, issue #18), where the
// WebSocket's own framing is not there to tell one message from the next. Each message is
//   [4-byte big-endian length n][1 byte: 0 = JSON text, 1 = binary frame (wire.ts)][n − 1 bytes]
// so exactly what travels as one WebSocket frame travels as one stream frame: the same calls,
// replies and events (wire.ts), bytes never as base64.
import { MAX_MESSAGE_BYTES } from './wireLimits';

/**
 * The first line `corescope agent --stdio` writes, before any frame: what the other end waits
 * for, so that a login script's chatter or a shell's error is never read as a frame.
 */
export const AGENT_HELLO = 'CORESCOPE-AGENT 1';

const TEXT = 0;
const BINARY = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A message as wire.ts makes it (JSON text, or a binary frame) as one stream frame. */
export function encodeStreamFrame(message: string | Uint8Array): Uint8Array {
  const body = typeof message === 'string' ? encoder.encode(message) : message;
  const frame = new Uint8Array(5 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length + 1);
  frame[4] = typeof message === 'string' ? TEXT : BINARY;
  frame.set(body, 5);
  return frame;
}

export type StreamMessage = { text: string } | { binary: Uint8Array };

/** The largest reply a client takes: a finished run's record, samples and all (hours at 100 Hz). */
export const MAX_REPLY_FRAME_BYTES = 1024 * MAX_MESSAGE_BYTES;

/**
 * Cuts a byte stream into messages, whatever size the chunks arrive in. A frame that claims more
 * than its side's largest message (a call: MAX_MESSAGE_BYTES, as serve; a reply:
 * MAX_REPLY_FRAME_BYTES) or has an unknown kind means the stream is not ours or is corrupt:
 * push() throws, and the caller ends the connection rather than guessing where the next message
 * starts.
 */
export class StreamFrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes = MAX_MESSAGE_BYTES + 1) {}

  push(chunk: Uint8Array): StreamMessage[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: StreamMessage[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(5);
      const n = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
      if (n < 1 || n > this.maxFrameBytes) throw new Error(`stream frame of ${n} bytes (limit ${this.maxFrameBytes}): not a CoreScope message stream`);
      if (this.buffered < 4 + n) break;
      const frame = this.take(4 + n);
      const kind = frame[4];
      const body = frame.subarray(5);
      if (kind === TEXT) out.push({ text: decoder.decode(body) });
      else if (kind === BINARY) out.push({ binary: body });
      else throw new Error(`stream frame of unknown kind ${kind}`);
    }
    return out;
  }

  /** Bytes received and not yet a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first.length >= n) return first.subarray(0, n);
    return this.concat().subarray(0, Math.min(n, this.buffered));
  }

  private take(n: number): Uint8Array {
    const all = this.concat();
    const frame = all.slice(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }

  private concat(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0];
    const all = new Uint8Array(this.buffered);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    this.chunks = [all];
    return all;
  }
}
