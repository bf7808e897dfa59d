// One client's session with the engine, whatever carries its messages: a browser tab on serve's
// WebSocket (serve/connection.ts) or a CoreScope on another machine over an SSH channel's stdio
// (commands/agent.ts). Calls are answered through the shared dispatcher, engine events pushed,
// and the runs this client started are cancelled when it goes away (a closed tab, a lost SSH
// connection: the workload ends, as when the Electron window closes). Messages are the shared
// wire format (src/shared/wire.ts); binary frames are taken only for a method that carries
// bytes (uploadPart), and a reply holding a file's bytes goes back as one binary frame.
import type { ApiReply, CoreScopeApi, EngineEvent } from '../shared/api';
import { isApiCallMethod, sendsBytes } from '../shared/apiOverCall';
import { dispatchApiCall } from '../shared/schemas';
import { MAX_MESSAGE_BYTES, encodeServerMessage, parseBinaryCall, parseCallMessage, type ReplyMessage } from '../shared/wire';

export interface ApiSession {
  /** One message as it arrived: JSON text, or a binary frame (isBinary). */
  onMessage(data: string | Uint8Array, isBinary: boolean): void;
  /** The client went away: stop pushing events, cancel its unfinished runs. */
  close(): void;
  /** Resolves when every call received so far has been answered. */
  answered(): Promise<void>;
}

/** `send` gets each reply or event already encoded (text, or one binary frame). */
export function openApiSession(engine: CoreScopeApi, send: (encoded: string | Uint8Array) => void): ApiSession {
  const startedRuns = new Set<string>();
  const finished = new Set<string>();
  let closed = false;
  const inflight = new Set<Promise<void>>();
  const reply = (msg: ReplyMessage | { event: EngineEvent }): void => {
    if (!closed) send(encodeServerMessage(msg));
  };

  const unsubscribe = engine.onEvent((event) => {
    if (event.type === 'run-finished' || event.type === 'run-failed') finished.add(event.runId);
    reply({ event });
  });

  const handle = (data: string | Uint8Array, isBinary: boolean): void => {
    let parsed: ReturnType<typeof parseCallMessage>;
    if (isBinary) {
      parsed = parseBinaryCall(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      // Bytes are taken only where the table says a method carries them: every other call is JSON text.
      if (parsed.ok && !(isApiCallMethod(parsed.call.method) && sendsBytes(parsed.call.method))) {
        reply({ id: parsed.call.id, ok: false, error: { code: 'bad-input', field: 'method', message: `binary messages are accepted only for uploadPart; send ${JSON.stringify(parsed.call.method)} as JSON text` } });
        return;
      }
    } else {
      const raw = typeof data === 'string' ? data : new TextDecoder().decode(data);
      if (raw.length > MAX_MESSAGE_BYTES) {
        reply({ id: null, ok: false, error: { code: 'bad-input', message: `message too large (${raw.length} bytes, limit ${MAX_MESSAGE_BYTES})` } });
        return;
      }
      parsed = parseCallMessage(raw);
      // A method that carries bytes takes them only from a binary frame.
      if (parsed.ok && isApiCallMethod(parsed.call.method) && sendsBytes(parsed.call.method)) {
        reply({ id: parsed.call.id, ok: false, error: { code: 'bad-input', field: 'args', message: `${parsed.call.method} takes its bytes in a binary message` } });
        return;
      }
    }
    if (!parsed.ok) {
      reply({ id: parsed.id, ok: false, error: parsed.error });
      return;
    }
    const { id, method, args } = parsed.call;
    const call = dispatchApiCall(engine, method, args)
      .catch((err: unknown): ApiReply => ({ ok: false, error: { code: 'internal', message: `call refused: ${(err as Error)?.message ?? 'unreadable'}` } }))
      .then((answer) => {
        if (method === 'startRun' && answer.ok) startedRuns.add((answer.result as { runId: string }).runId);
        reply({ id, ...answer });
      })
      .finally(() => inflight.delete(call));
    inflight.add(call);
  };

  return {
    onMessage(data, isBinary) {
      // Whatever a message holds, the answer is a reply on this connection: an exception here
      // (say, validation overflowing the stack on a deeply nested argument) would otherwise
      // escape into the transport's parser and end the process with every run in it.
      try {
        handle(data, isBinary);
      } catch (err) {
        reply({ id: null, ok: false, error: { code: 'internal', message: `message refused: ${(err as Error)?.message ?? 'unreadable'}` } });
      }
    },
    async answered() {
      while (inflight.size) await Promise.all([...inflight]);
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const runId of startedRuns) {
        if (!finished.has(runId)) void engine.cancelRun(runId).catch(() => undefined);
      }
    },
  };
}
