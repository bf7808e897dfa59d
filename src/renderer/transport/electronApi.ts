// The preload's window.corescope, with its rejections (plain {message, field, code} objects:
// Error subclasses lose their fields crossing contextBridge) turned back into ApiErrors. Every
// method of the table is wrapped the same way, so a method added to the table needs nothing here.
import type { CoreScopeApi } from '../../shared/api';
import { API_CALL_NAMES } from '../../shared/apiOverCall';
import { ApiError } from './apiError';

type AnyFn = (...a: unknown[]) => Promise<unknown>;

export function wrapElectronApi(raw: CoreScopeApi): CoreScopeApi {
  const guard = (fn: AnyFn): AnyFn => (...a) => fn(...a).catch((err: unknown) => Promise.reject(ApiError.from(err)));
  const methods = Object.fromEntries(
    API_CALL_NAMES.map((m) => {
      const fn = raw[m] as AnyFn | undefined;
      return [m, fn ? guard((...a) => fn.apply(raw, a)) : undefined];
    }),
  );
  const saveFile = raw.saveFile;
  return {
    ...(methods as unknown as Omit<CoreScopeApi, 'onEvent' | 'saveFile'>),
    onEvent: (listener) => raw.onEvent(listener),
    saveFile: saveFile ? (guard((...a) => saveFile.apply(raw, a as [string, string | Uint8Array])) as CoreScopeApi['saveFile']) : undefined,
  };
}
