// CoreScopeApi over the `serve` WebSocket ({id, method, args} → {id, ok, result|error};
// {event} pushes). When the socket drops, every pending call rejects with 'connection-lost'
// and listeners hear about it, so nothing in the UI waits forever.
import type { ApiErrorShape, CoreScopeApi, EngineEvent } from '../../shared/api';
import { apiOverCall } from '../../shared/apiOverCall';
import { ApiError } from './apiError';

export interface WsApi extends CoreScopeApi {
  /** Called once when the connection is lost (after it was open, or when it never opens). */
  onConnectionLost(listener: (reason: string) => void): void;
}

export function connectWebSocketApi(url: string): Promise<WsApi> {
  const ws = new WebSocket(url);
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
    let data: { id?: number | null; event?: EngineEvent; ok?: boolean; result?: unknown; error?: ApiErrorShape };
    try {
      data = JSON.parse(String(msg.data));
    } catch {
      return;
    }
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

  const call = <T>(method: string, ...args: unknown[]): Promise<T> => {
    if (lostReason !== null) return Promise.reject(new ApiError({ code: 'connection-lost', message: lostReason }));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, args }));
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
