// One browser tab's session on the `serve` WebSocket: answers calls through the shared
// dispatcher, pushes engine events, and cancels the runs it started when the tab goes away
// (closing the window ends the workload, as in the Electron app).
import type { RawData, WebSocket } from 'ws';
import type { ApiReply, CoreScopeApi, EngineEvent } from '../../shared/api';
import { dispatchApiCall } from '../../shared/schemas';
import { MAX_MESSAGE_BYTES, parseCallMessage, type ReplyMessage } from './protocol';

export function attachConnection(ws: WebSocket, engine: CoreScopeApi): void {
  const startedRuns = new Set<string>();
  const finished = new Set<string>();

  const send = (msg: ReplyMessage | { event: EngineEvent }) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
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
    if (isBinary) {
      send({ id: null, ok: false, error: { code: 'bad-input', message: 'binary messages are not accepted; send JSON text' } });
      return;
    }
    const raw = data.toString();
    if (raw.length > MAX_MESSAGE_BYTES) {
      send({ id: null, ok: false, error: { code: 'bad-input', message: `message too large (${raw.length} bytes, limit ${MAX_MESSAGE_BYTES})` } });
      return;
    }
    const parsed = parseCallMessage(raw);
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
