// One browser tab's session on the `serve` WebSocket: answers calls through the shared
// dispatcher, pushes engine events, and cancels the runs it started when the tab goes away
// (closing the window ends the workload, as in the Electron app). Messages are the shared wire
// format (src/shared/wire.ts); binary frames are taken only for a method that carries bytes
// (uploadPart), and a reply holding a file's bytes goes back as one binary frame.
import type { RawData, WebSocket } from 'ws';
import type { ApiReply, CoreScopeApi, EngineEvent } from '../../shared/api';
import { isApiCallMethod, sendsBytes } from '../../shared/apiOverCall';
import { dispatchApiCall } from '../../shared/schemas';
import { MAX_MESSAGE_BYTES, encodeServerMessage, parseBinaryCall, parseCallMessage, type ReplyMessage } from '../../shared/wire';

const asBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

export function attachConnection(ws: WebSocket, engine: CoreScopeApi): void {
  const startedRuns = new Set<string>();
  const finished = new Set<string>();

  const send = (msg: ReplyMessage | { event: EngineEvent }) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeServerMessage(msg));
  };

  const unsubscribe = engine.onEvent((event) => {
    if (event.type === 'run-finished' || event.type === 'run-failed') finished.add(event.runId);
    send({ event });
  });

  ws.on('message', (data, isBinary) => {
    // Whatever a message holds, the answer is a reply on this connection: an exception here
    // (say, validation overflowing the stack on a deeply nested argument) would otherwise escape
    // into ws's frame parser and end the process with every run in it.
    try {
      onMessage(data, isBinary);
    } catch (err) {
      send({ id: null, ok: false, error: { code: 'internal', message: `message refused: ${(err as Error)?.message ?? 'unreadable'}` } });
    }
  });

  const onMessage = (data: RawData, isBinary: boolean): void => {
    let parsed: ReturnType<typeof parseCallMessage>;
    if (isBinary) {
      parsed = parseBinaryCall(asBuffer(data));
      // Bytes are taken only where the table says a method carries them: every other call is JSON text.
      if (parsed.ok && !(isApiCallMethod(parsed.call.method) && sendsBytes(parsed.call.method))) {
        send({ id: parsed.call.id, ok: false, error: { code: 'bad-input', field: 'method', message: `binary messages are accepted only for uploadPart; send ${JSON.stringify(parsed.call.method)} as JSON text` } });
        return;
      }
    } else {
      const raw = data.toString();
      if (raw.length > MAX_MESSAGE_BYTES) {
        send({ id: null, ok: false, error: { code: 'bad-input', message: `message too large (${raw.length} bytes, limit ${MAX_MESSAGE_BYTES})` } });
        return;
      }
      parsed = parseCallMessage(raw);
      // A method that carries bytes takes them only from a binary frame.
      if (parsed.ok && isApiCallMethod(parsed.call.method) && sendsBytes(parsed.call.method)) {
        send({ id: parsed.call.id, ok: false, error: { code: 'bad-input', field: 'args', message: `${parsed.call.method} takes its bytes in a binary message` } });
        return;
      }
    }
    if (!parsed.ok) {
      send({ id: parsed.id, ok: false, error: parsed.error });
      return;
    }
    const { id, method, args } = parsed.call;
    void dispatchApiCall(engine, method, args)
      .catch((err: unknown): ApiReply => ({ ok: false, error: { code: 'internal', message: `call refused: ${(err as Error)?.message ?? 'unreadable'}` } }))
      .then((reply) => {
        if (method === 'startRun' && reply.ok) startedRuns.add((reply.result as { runId: string }).runId);
        send({ id, ...reply });
      });
  };

  // Protocol errors (a frame over the size limit, invalid UTF-8, a bad opcode) arrive as 'error'
  // events; ws then closes this connection with the right code. Unhandled, one such frame would
  // crash the whole server.
  ws.on('error', () => undefined);

  ws.on('close', () => {
    unsubscribe();
    for (const runId of startedRuns) {
      if (!finished.has(runId)) void engine.cancelRun(runId).catch(() => undefined);
    }
  });
}
