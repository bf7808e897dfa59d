// The preload's window.corescope, with its rejections (plain {message, field, code} objects:
// Error subclasses lose their fields crossing contextBridge) turned back into ApiErrors.
import type { CoreScopeApi, SessionExportFormat } from '../../shared/api';
import { ApiError } from './apiError';

export function wrapElectronApi(raw: CoreScopeApi): CoreScopeApi {
  const guard = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    (...a: A) => fn(...a).catch((err: unknown) => Promise.reject(ApiError.from(err)));
  return {
    info: guard(() => raw.info()),
    listScenarios: guard(() => raw.listScenarios()),
    startRun: guard((r) => raw.startRun(r)),
    cancelRun: guard((id) => raw.cancelRun(id)),
    getRun: guard((id) => raw.getRun(id)),
    uploadPart: raw.uploadPart ? guard((id: string, index: number, base64: string) => raw.uploadPart!(id, index, base64)) : undefined,
    loadSession: raw.loadSession ? guard((id: string, name: string) => raw.loadSession!(id, name)) : undefined,
    exportSession: raw.exportSession ? guard((id: string, format: SessionExportFormat, runId?: string) => raw.exportSession!(id, format, runId)) : undefined,
    exportComparison: raw.exportComparison ? guard((sessions: { uploadId: string; label: string }[]) => raw.exportComparison!(sessions)) : undefined,
    autosave: raw.autosave ? guard((id: string) => raw.autosave!(id)) : undefined,
    restoreAutosave: raw.restoreAutosave ? guard(() => raw.restoreAutosave!()) : undefined,
    onEvent: (listener) => raw.onEvent(listener),
    saveFile: raw.saveFile ? guard((name: string, data: string | Uint8Array) => raw.saveFile!(name, data)) : undefined,
  };
}
