// Electron main: the thin shell around the engine. Everything that measures lives in
// ./engine (pure Node); this file only owns the app's lifetime, and makes sure no workload
// outlives the window: quitting, closing the window or a renderer crash disposes the engine.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createEngine } from '../engine';
import { bindEngineIpc } from './ipc';
import { installAppMenu } from './menu';
import { createMainWindow } from './window';

const engine = createEngine();
let win: BrowserWindow | null = null;
let disposed: Promise<void> | null = null;

function disposeEngine(): Promise<void> {
  disposed ??= engine.dispose().catch((err: unknown) => console.error('CoreScope: engine dispose failed', err));
  return disposed;
}

function openWindow(): void {
  win = createMainWindow({
    preload: join(__dirname, '../preload/index.cjs'),
    renderer: process.env.ELECTRON_RENDERER_URL ?? join(__dirname, '../renderer/index.html'),
  });
  win.webContents.on('render-process-gone', (_e, details) => {
    console.error(`CoreScope: renderer gone (${details.reason}); stopping every workload`);
    void disposeEngine().then(() => app.quit());
  });
  win.on('closed', () => {
    win = null;
    void disposeEngine().then(() => app.quit());
  });
}

// One instance: a second launch focuses the first instead of starting a second engine.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.enableSandbox();
  void app.whenReady().then(() => {
    installAppMenu();
    bindEngineIpc(engine, () => win);
    openWindow();
  });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    // Hold the quit until every workload tree is gone.
    event.preventDefault();
    quitting = true;
    void disposeEngine().then(() => app.quit());
  });
}
