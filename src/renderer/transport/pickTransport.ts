// One renderer, two front doors: the Electron preload's object when present, else the
// WebSocket of `corescope serve` with the token from the page URL.
import type { CoreScopeApi } from '../../shared/api';
import { wrapElectronApi } from './electronApi';
import { connectWebSocketApi } from './wsClient';

declare global {
  interface Window {
    corescope?: CoreScopeApi;
  }
}

export interface Transport {
  api: CoreScopeApi;
  kind: 'electron' | 'websocket';
  onConnectionLost(listener: (reason: string) => void): void;
}

export async function pickTransport(): Promise<Transport> {
  if (window.corescope) {
    return { api: wrapElectronApi(window.corescope), kind: 'electron', onConnectionLost: () => undefined };
  }
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api?token=${encodeURIComponent(token)}`;
  const api = await connectWebSocketApi(wsUrl);
  return { api, kind: 'websocket', onConnectionLost: (l) => api.onConnectionLost(l) };
}
