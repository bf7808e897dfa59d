// The sandboxed preload: exposes exactly one object, window.corescope, implementing the shared
// CoreScopeApi over IPC. No npm imports (a sandboxed preload cannot require them). Failures
// reject with a plain {message, field, code} object, which survives contextBridge intact.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiReply, CoreScopeApi, EngineEvent, ExportedFile, RunRequest, SessionExportFormat } from '../shared/api';
import type { SessionFile } from '../shared/sessionSchema';
import type { RunRecord, SystemInfo } from '../shared/types';
import type { ScenarioInfo } from '../shared/api';
import { IPC_CALL, IPC_EVENT, IPC_SAVE_FILE } from './ipcChannels';

async function unwrap<T>(reply: Promise<ApiReply>): Promise<T> {
  const r = await reply;
  if (r.ok) return r.result as T;
  throw { ...r.error };
}

const call = <T>(method: string, ...args: unknown[]) => unwrap<T>(ipcRenderer.invoke(IPC_CALL, method, args));

const api: CoreScopeApi = {
  info: () => call<SystemInfo>('info'),
  listScenarios: () => call<ScenarioInfo[]>('listScenarios'),
  startRun: (request: RunRequest) => call<{ runId: string }>('startRun', request),
  cancelRun: (runId: string) => call<void>('cancelRun', runId),
  getRun: (runId: string) => call<RunRecord>('getRun', runId),
  uploadPart: (uploadId: string, index: number, base64: string) => call<{ bytes: number }>('uploadPart', uploadId, index, base64),
  loadSession: (uploadId: string, fileName: string) => call<SessionFile>('loadSession', uploadId, fileName),
  exportSession: (uploadId: string, format: SessionExportFormat, runId?: string) => call<ExportedFile>('exportSession', ...(runId === undefined ? [uploadId, format] : [uploadId, format, runId])),
  exportComparison: (sessions: { uploadId: string; label: string }[]) => call<ExportedFile>('exportComparison', sessions),
  autosave: (uploadId: string) => call<{ path: string; runs: number }>('autosave', uploadId),
  restoreAutosave: () => call<{ path: string; session: SessionFile } | null>('restoreAutosave'),
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
