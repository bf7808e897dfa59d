// Moving files between the page and the engine. Up: the bytes of a session file the user opened,
// as they are (no gzip, no base64), in parts through the API (the WebSocket takes at most 1 MiB
// a message; a part travels as one binary frame). Down: a file the engine made is either already
// saved (Electron's shell saved it through its dialog) or downloaded here.
import { UPLOAD_PART_BYTES } from '../../shared/wireLimits';
import type { CoreScopeApi, FileResult } from '../../shared/api';
import { saveAs } from '../export/saveAs';
import { splitParts } from './sessionData';

let counter = 0;
const newUploadId = (): string => `u${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Sends bytes to the engine in parts; returns the upload id a consuming call names. */
export async function uploadBytes(api: CoreScopeApi, bytes: Uint8Array): Promise<string> {
  if (!api.uploadPart) throw new Error('this engine does not take session files');
  const id = newUploadId();
  const parts = splitParts(bytes, UPLOAD_PART_BYTES);
  for (let i = 0; i < parts.length; i++) await api.uploadPart(id, i, parts[i]);
  return id;
}

export async function fileBytes(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/** Where an engine-made file went: its name or path, or null when the user cancelled. */
export async function keepFile(api: CoreScopeApi, file: FileResult): Promise<string | null> {
  if ('data' in file) return saveAs(api, file.name, file.data, file.mime);
  return file.saved ? (file.path ?? file.name) : null;
}
