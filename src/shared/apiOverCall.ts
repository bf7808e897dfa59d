// Every request/response method of CoreScopeApi built on one `call(method, ...args)` function,
// so the two transports (Electron IPC in the preload, the WebSocket in a browser) differ only in
// how a call travels, never in the list of methods.
import type { CoreScopeApi, ExportedFile, RunRequest, SessionExportFormat } from './api';
import type { ScenarioInfo } from './model';
import type { SessionFile } from './sessionSchema';
import type { RunRecord, SystemInfo } from './types';

export type ApiCall = <T>(method: string, ...args: unknown[]) => Promise<T>;

export type CalledApi = Omit<CoreScopeApi, 'onEvent' | 'saveFile'>;

export function apiOverCall(call: ApiCall): CalledApi {
  return {
    info: () => call<SystemInfo>('info'),
    listScenarios: () => call<ScenarioInfo[]>('listScenarios'),
    startRun: (request: RunRequest) => call<{ runId: string }>('startRun', request),
    cancelRun: (runId: string) => call<void>('cancelRun', runId),
    getRun: (runId: string) => call<RunRecord>('getRun', runId),
    uploadPart: (uploadId: string, index: number, base64: string) => call<{ bytes: number }>('uploadPart', uploadId, index, base64),
    loadSession: (uploadId: string, fileName: string) => call<SessionFile>('loadSession', uploadId, fileName),
    exportSession: (uploadId: string, format: SessionExportFormat, runId?: string) =>
      call<ExportedFile>('exportSession', ...(runId === undefined ? [uploadId, format] : [uploadId, format, runId])),
    exportComparison: (sessions: { uploadId: string; label: string }[]) => call<ExportedFile>('exportComparison', sessions),
    autosave: (uploadId: string) => call<{ path: string; runs: number }>('autosave', uploadId),
    restoreAutosave: () => call<{ path: string; session: SessionFile } | null>('restoreAutosave'),
  };
}
