// The preload's window.corescope, with its rejections (plain {message, field, code} objects:
// Error subclasses lose their fields crossing contextBridge) turned back into ApiErrors.
import type { CoreScopeApi } from '../../shared/api';
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
    onEvent: (listener) => raw.onEvent(listener),
    saveFile: raw.saveFile ? guard((name: string, data: string | Uint8Array) => raw.saveFile!(name, data)) : undefined,
  };
}
