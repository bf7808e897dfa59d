// Moving session bytes between the page and the engine: gzip in the page (CompressionStream),
// uploads in parts through the API (every transport, the WebSocket's 1 MiB messages included),
// and turning an engine-made file back into bytes to save.
import { UPLOAD_PART_BYTES, type CoreScopeApi, type ExportedFile } from '../../shared/api';
import { fromBase64, splitParts, toBase64 } from './sessionData';

export async function gzipText(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let counter = 0;
const newUploadId = (): string => `u${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Sends bytes to the engine in parts; returns the upload id a consuming call names. */
export async function uploadBytes(api: CoreScopeApi, bytes: Uint8Array): Promise<string> {
  if (!api.uploadPart) throw new Error('this engine does not take session files');
  const id = newUploadId();
  const parts = splitParts(bytes, UPLOAD_PART_BYTES);
  for (let i = 0; i < parts.length; i++) await api.uploadPart(id, i, toBase64(parts[i]));
  return id;
}

/** A session object, gzip-compressed, uploaded. */
export async function uploadJson(api: CoreScopeApi, value: unknown): Promise<string> {
  return uploadBytes(api, await gzipText(JSON.stringify(value)));
}

export function exportedBytes(file: ExportedFile): string | Uint8Array {
  return file.encoding === 'base64' ? fromBase64(file.data) : file.data;
}

export async function fileBytes(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}
