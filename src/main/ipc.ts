// Binds the engine's API to IPC. Every call is checked twice before it reaches the engine:
// the sender must be our window's main frame, and the arguments must parse with the shared
// schemas. Replies are envelopes ({ok, result|error}) because Electron drops an Error's fields
// (like `field`) when a handler throws. A method that makes a file (the table marks it) is
// answered by saving that file through the native save dialog: an export goes engine → disk
// here, in the main process, and only where it went travels back to the renderer.
import { ipcMain, type BrowserWindow } from 'electron';
import type { ApiReply, CoreScopeApi, ExportedFile, SavedFile } from '../shared/api';
import { isApiCallMethod, returnsFile } from '../shared/apiOverCall';
import { dispatchApiCall, saveFileDataSchema, saveFileNameSchema, toApiErrorShape } from '../shared/schemas';
import { IPC_CALL, IPC_EVENT, IPC_SAVE_FILE } from '../preload/ipcChannels';
import { saveWithDialog } from './saveDialog';
import { isOwnFrame } from './window';

const refused: ApiReply = { ok: false, error: { code: 'bad-input', message: 'IPC refused: the sender is not the CoreScope window' } };

/** Returns a function that removes the handlers and the event forwarding. */
export function bindEngineIpc(engine: CoreScopeApi, getWindow: () => BrowserWindow | null): () => void {
  ipcMain.handle(IPC_CALL, async (event, method: unknown, args: unknown): Promise<ApiReply> => {
    const win = getWindow();
    if (!win || !isOwnFrame(win, event.senderFrame)) return refused;
    const reply = await dispatchApiCall(engine, method, args);
    if (!reply.ok || !isApiCallMethod(method) || !returnsFile(method)) return reply;
    const file = reply.result as ExportedFile;
    try {
      const where = await saveWithDialog(win, file.name, file.data);
      return { ok: true, result: { name: file.name, ...where } satisfies SavedFile };
    } catch (err) {
      return { ok: false, error: toApiErrorShape(err) };
    }
  });

  ipcMain.handle(IPC_SAVE_FILE, async (event, name: unknown, data: unknown): Promise<ApiReply> => {
    const win = getWindow();
    if (!win || !isOwnFrame(win, event.senderFrame)) return refused;
    const n = saveFileNameSchema.safeParse(name);
    if (!n.success) return { ok: false, error: { code: 'bad-input', field: 'name', message: `file name ${n.error.issues[0]?.message ?? 'is invalid'}` } };
    const d = saveFileDataSchema.safeParse(data);
    if (!d.success) return { ok: false, error: { code: 'bad-input', field: 'data', message: 'export data must be text or bytes' } };
    try {
      return { ok: true, result: await saveWithDialog(win, n.data, d.data) };
    } catch (err) {
      return { ok: false, error: toApiErrorShape(err) };
    }
  });

  // The engine already batches live samples (a few per second); forward each event as is.
  const unsubscribe = engine.onEvent((e) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, e);
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeHandler(IPC_SAVE_FILE);
  };
}
