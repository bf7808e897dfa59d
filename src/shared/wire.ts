// The WebSocket protocol of `serve`, used by both ends (src/cli/serve/connection.ts and the
// renderer's client, src/renderer/transport/wsClient.ts):
//   client → server  {id, method, args}
//   server → client  {id, ok: true, result} | {id, ok: false, error: {code, message, field?}}
//                    {event: EngineEvent}      (pushed: run lifecycle and live batches)
// A message that cannot be tied to a request (bad JSON, no id) is answered with id: null.
//
// Bytes travel as they are, never as base64: a message that carries bytes is one binary frame,
//   [4-byte big-endian length n][n bytes: the message as JSON][the bytes]
// where the bytes are a call's last argument (uploadPart: the only call serve takes in binary)
// or a reply's `result.data` (a file the engine made, for the page to download).
import type { ApiErrorShape, ApiReply, EngineEvent } from './api';

export interface CallMessage {
  id: number | string;
  method: string;
  args: unknown[];
}

export type ReplyMessage = ApiReply & { id: number | string | null };

export interface EventMessage {
  event: EngineEvent;
}

/** Any message from the server as the client reads it: a reply (by id) or a pushed event. */
export interface ServerMessage {
  id?: number | string | null;
  ok?: boolean;
  result?: unknown;
  error?: ApiErrorShape;
  event?: EngineEvent;
}

export { MAX_MESSAGE_BYTES, UPLOAD_PART_BYTES } from './wireLimits';

type Parsed = { ok: true; call: CallMessage } | { ok: false; id: number | string | null; error: ApiErrorShape };

/** Checks the envelope of a call (already parsed JSON); the dispatcher checks the method and its arguments. */
export function checkCallMessage(data: unknown): Parsed {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, id: null, error: { code: 'bad-input', message: 'message must be a JSON object {id, method, args}' } };
  }
  const msg = data as Record<string, unknown>;
  const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
  if (id === null) {
    return { ok: false, id: null, error: { code: 'bad-input', field: 'id', message: 'message needs an "id" (number or string) to answer to' } };
  }
  if (typeof msg.method !== 'string') {
    return { ok: false, id, error: { code: 'bad-input', field: 'method', message: 'message needs a "method" string' } };
  }
  const args = msg.args === undefined ? [] : msg.args;
  if (!Array.isArray(args)) {
    return { ok: false, id, error: { code: 'bad-input', field: 'args', message: '"args" must be an array' } };
  }
  return { ok: true, call: { id, method: msg.method, args } };
}

/** A text frame as a call. */
export function parseCallMessage(raw: string): Parsed {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, id: null, error: { code: 'bad-input', message: `message is not valid JSON: ${(err as Error).message}` } };
  }
  return checkCallMessage(data);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** One binary frame: the message (without its bytes) as JSON, then the bytes. */
export function encodeBinaryFrame(message: object, bytes: Uint8Array): Uint8Array {
  const head = encoder.encode(JSON.stringify(message));
  const frame = new Uint8Array(4 + head.length + bytes.length);
  new DataView(frame.buffer).setUint32(0, head.length);
  frame.set(head, 4);
  frame.set(bytes, 4 + head.length);
  return frame;
}

/** The message and the bytes of a binary frame, or why it is not one. */
export function decodeBinaryFrame(frame: Uint8Array): { ok: true; message: unknown; bytes: Uint8Array } | { ok: false; why: string } {
  if (frame.length < 4) return { ok: false, why: 'a binary frame starts with the 4-byte length of its JSON header' };
  const n = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (n > frame.length - 4) return { ok: false, why: `the JSON header is said to be ${n} bytes, but the frame holds ${frame.length - 4}` };
  try {
    const message: unknown = JSON.parse(decoder.decode(frame.subarray(4, 4 + n)));
    return { ok: true, message, bytes: frame.subarray(4 + n) };
  } catch (err) {
    return { ok: false, why: `the JSON header is not valid UTF-8 JSON (${(err as Error).message})` };
  }
}

/** A binary frame as a call: its bytes become the last argument. */
export function parseBinaryCall(frame: Uint8Array): Parsed {
  const decoded = decodeBinaryFrame(frame);
  if (!decoded.ok) return { ok: false, id: null, error: { code: 'bad-input', message: `binary message refused: ${decoded.why}` } };
  const parsed = checkCallMessage(decoded.message);
  if (parsed.ok) parsed.call.args = [...parsed.call.args, decoded.bytes];
  return parsed;
}

/** A reply or event to send: one binary frame when the result is a file with bytes, else JSON text. */
export function encodeServerMessage(msg: ReplyMessage | EventMessage): string | Uint8Array {
  if ('ok' in msg && msg.ok) {
    const result = msg.result as { data?: unknown } | null;
    if (result && typeof result === 'object' && result.data instanceof Uint8Array) {
      const { data, ...rest } = result;
      return encodeBinaryFrame({ ...msg, result: rest }, data);
    }
  }
  return JSON.stringify(msg);
}

/** What the client reads from a frame: a reply (bytes put back at result.data) or an event; null when unreadable. */
export function decodeServerMessage(data: string | Uint8Array): ServerMessage | null {
  try {
    if (typeof data === 'string') return JSON.parse(data) as ServerMessage;
    const decoded = decodeBinaryFrame(data);
    if (!decoded.ok) return null;
    const msg = decoded.message as ServerMessage;
    if (msg.ok && msg.result && typeof msg.result === 'object') (msg.result as { data?: Uint8Array }).data = decoded.bytes;
    return msg;
  } catch {
    return null;
  }
}

/** A call to send: one binary frame when its last argument is bytes (uploadPart), else JSON text. */
export function encodeCall(call: CallMessage, withBytes: boolean): string | Uint8Array {
  const last = call.args.at(-1);
  if (withBytes && last instanceof Uint8Array) return encodeBinaryFrame({ ...call, args: call.args.slice(0, -1) }, last);
  return JSON.stringify(call);
}
