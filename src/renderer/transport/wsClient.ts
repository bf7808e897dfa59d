// CoreScopeApi over the `serve` WebSocket, in the shared wire format (shared/wire.ts): calls go
// as {id, method, args} (uploadPart's bytes as one binary frame), replies come back by id (a
// file's bytes as one binary frame), events are pushed. When the socket drops, every pending
// call rejects with 'connection-lost' and listeners hear about it, so nothing in the UI waits
// forever.
import type { CoreScopeApi, EngineEvent } from '../../shared/api';
import { apiOverCall, sendsBytes, type ApiCallMethod } from '../../shared/apiOverCall';
import { decodeServerMessage, encodeCall } from '../../shared/wire';
import { ApiError } from './apiError';

export interface WsApi extends CoreScopeApi {
  /** Called once when the connection is lost (after it was open, or when it never opens). */
  onConnectionLost(listener: (reason: string) => void): void;
}

export function connectWebSocketApi(url: string): Promise<WsApi> {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: ApiError) => void }>();
  const listeners = new Set<(event: EngineEvent) => void>();
  const lostListeners = new Set<(reason: string) => void>();
  let nextId = 1;
  let lostReason: string | null = null;

  const lose = (reason: string) => {
    if (lostReason !== null) return;
    lostReason = reason;
    for (const p of pending.values()) p.reject(new ApiError({ code: 'connection-lost', message: reason }));
    pending.clear();
    for (const l of lostListeners) l(reason);
  };

  ws.addEventListener('message', (msg) => {
    const data = decodeServerMessage(msg.data instanceof ArrayBuffer ? new Uint8Array(msg.data) : String(msg.data));
    if (!data) return;
    if (data.event) {
      for (const l of listeners) l(data.event);
      return;
    }
    const p = typeof data.id === 'number' ? pending.get(data.id) : undefined;
    if (!p) {
      if (data.ok === false && data.error) console.warn('CoreScope server:', data.error.message);
      return;
    }
    pending.delete(data.id as number);
    if (data.ok) p.resolve(data.result);
    else p.reject(ApiError.from(data.error));
  });

  const call = (method: ApiCallMethod, ...args: unknown[]): Promise<unknown> => {
    if (lostReason !== null) return Promise.reject(new ApiError({ code: 'connection-lost', message: lostReason }));
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(encodeCall({ id, method, args }, sendsBytes(method)));
    });
  };

  const api: WsApi = {
    ...apiOverCall(call),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnectionLost: (listener) => {
      if (lostReason !== null) listener(lostReason);
      else lostListeners.add(listener);
    },
  };

  return new Promise<WsApi>((resolve, reject) => {
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      resolve(api);
    });
    ws.addEventListener('close', (ev) => {
      const reason = opened
        ? `The connection to the CoreScope engine was lost (code ${ev.code}). Is \`corescope serve\` still running? Restart it and open the URL it prints.`
        : 'Could not connect to the CoreScope engine: the token in the page URL is missing or wrong, or the server has stopped. Open the exact URL that `corescope serve` printed.';
      lose(reason);
      if (!opened) reject(new ApiError({ code: 'connection-lost', message: reason }));
    });
  });
}
