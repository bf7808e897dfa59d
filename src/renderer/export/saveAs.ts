// One way out for every export: the native save dialog in Electron (through the API), an
// ordinary download in a browser.
import type { CoreScopeApi } from '../../shared/api';

export async function saveAs(api: CoreScopeApi, name: string, data: string | Uint8Array, mime: string): Promise<string | null> {
  if (api.saveFile) {
    const res = await api.saveFile(name, data);
    return res.saved ? (res.path ?? name) : null;
  }
  const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
