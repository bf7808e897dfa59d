// The one BrowserWindow, locked down: isolated, sandboxed, no Node, a strict CSP, and no way
// to navigate away or open new windows (the renderer only ever shows our own bundled page).
import { BrowserWindow, session, shell } from 'electron';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../shared/csp';

/** The shared policy (src/shared/csp.ts); the window talks to the engine over IPC, so it connects nowhere. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

export interface WindowPaths {
  preload: string;
  /** out/renderer/index.html, or the dev server URL under `electron-vite dev`. */
  renderer: string;
}

export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 960,
    minWidth: 900,
    minHeight: 600,
    title: 'CoreScope',
    show: false,
    backgroundColor: '#f8fafc',
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });

  // Also as a header, so it holds even for responses that are not our index.html.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const startUrl = /^https?:/.test(paths.renderer) ? paths.renderer : pathToFileURL(paths.renderer).href;
  ownPages.set(win, startUrl);
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== startUrl) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // Links in explanations may point at docs: open http(s) in the user's browser, never in-app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(startUrl);
  return win;
}

/** The page each of our windows was opened on: IPC senders must be its main frame at this page. */
const ownPages = new WeakMap<BrowserWindow, string>();

/**
 * True only for the window's main frame showing the very page CoreScope opened it on (same
 * scheme, host and path; a query or hash may differ). Any other file:// page, a web page, an
 * iframe, or a window not opened by createMainWindow is not ours.
 */
export function isOwnFrame(win: BrowserWindow, frame: Electron.WebFrameMain | null): boolean {
  if (!frame || win.isDestroyed()) return false;
  if (frame !== win.webContents.mainFrame) return false;
  const own = ownPages.get(win);
  if (!own) return false;
  try {
    const a = new URL(frame.url);
    const b = new URL(own);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
