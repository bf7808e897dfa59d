// IPC channel names shared by the main process and the preload (kept in one place so the two
// sides cannot drift). Plain constants: the sandboxed preload bundles this file.
export const IPC_CALL = 'corescope:call';
export const IPC_SAVE_FILE = 'corescope:save-file';
export const IPC_EVENT = 'corescope:event';
