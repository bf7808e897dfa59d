// The WebSocket protocol of `serve`, shared in shape with the renderer's client:
//   client → server  {id, method, args}
//   server → client  {id, ok: true, result} | {id, ok: false, error: {code, message, field?}}
//                    {event: EngineEvent}      (pushed: run lifecycle and live batches)
// A message that cannot be tied to a request (bad JSON, no id) is answered with id: null.
import type { ApiErrorShape, ApiReply } from '../../shared/api';

export interface CallMessage {
  id: number | string;
  method: string;
  args: unknown;
}

export type ReplyMessage = ApiReply & { id: number | string | null };

export const MAX_MESSAGE_BYTES = 1024 * 1024;

export function parseCallMessage(raw: string): { ok: true; call: CallMessage } | { ok: false; id: number | string | null; error: ApiErrorShape } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, id: null, error: { code: 'bad-input', message: `message is not valid JSON: ${(err as Error).message}` } };
  }
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
