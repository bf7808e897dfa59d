// Exports from the renderer land on disk only through a native save dialog the user answers:
// the renderer proposes a file name, never a path. The chosen path goes through the same check
// and atomic write as the CLI's --out (a regular file only; a link is followed; mode kept).
import { dialog, type BrowserWindow } from 'electron';
import { extname } from 'node:path';
import { writeFileDurable } from '../engine';

const filters: Record<string, Electron.FileFilter[]> = {
  '.png': [{ name: 'PNG image', extensions: ['png'] }],
  '.csv': [{ name: 'CSV', extensions: ['csv'] }],
  '.json': [{ name: 'JSON', extensions: ['json'] }],
  '.html': [{ name: 'HTML report', extensions: ['html'] }],
};

export async function saveWithDialog(win: BrowserWindow, name: string, data: string | Uint8Array): Promise<{ saved: boolean; path?: string }> {
  const result = await dialog.showSaveDialog(win, {
    title: 'Export from CoreScope',
    defaultPath: name,
    filters: filters[extname(name).toLowerCase()] ?? [],
  });
  if (result.canceled || !result.filePath) return { saved: false };
  await writeFileDurable(result.filePath, data, { option: 'the file chosen to save to' });
  return { saved: true, path: result.filePath };
}
