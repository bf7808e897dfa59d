// The sandboxed preload: exposes exactly one object, window.corescope, implementing the shared
// CoreScopeApi over IPC — its methods made from the method table (apiOverCall.ts, which has no
// zod in it: nothing here may require an npm package). Failures reject with a plain
// {message, field, code} object, which survives contextBridge intact.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiReply, CoreScopeApi, EngineEvent } from '../shared/api';
import { apiOverCall, type ApiCallMethod } from '../shared/apiOverCall';
import { IPC_CALL, IPC_EVENT, IPC_SAVE_FILE } from './ipcChannels';

async function unwrap<T>(reply: Promise<ApiReply>): Promise<T> {
  const r = await reply;
  if (r.ok) return r.result as T;
  throw { ...r.error };
}

const call = (method: ApiCallMethod, ...args: unknown[]) => unwrap(ipcRenderer.invoke(IPC_CALL, method, args));

const api: CoreScopeApi = {
  ...apiOverCall(call),
  onEvent: (listener: (event: EngineEvent) => void) => {
    const handler = (_e: IpcRendererEvent, event: EngineEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  saveFile: (name: string, data: string | Uint8Array) => unwrap<{ saved: boolean; path?: string }>(ipcRenderer.invoke(IPC_SAVE_FILE, name, data)),
};

contextBridge.exposeInMainWorld('corescope', api);
