// `serve --open`: shows the UI in a Chromium/Chrome app window when one is installed. Returns
// false (the caller prints the URL) rather than failing when none is.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { asObserver } from './observerPriority';

const candidateNames = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CORESCOPE_CHROMIUM && isExecutable(env.CORESCOPE_CHROMIUM)) return env.CORESCOPE_CHROMIUM;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of candidateNames) {
    for (const dir of dirs) {
      const full = join(dir, name);
      if (isExecutable(full)) return full;
    }
  }
  return null;
}

/** Opens `url` in an app-mode window with a throwaway profile; detached so it outlives nothing it should not. */
export function openInAppWindow(url: string): { opened: boolean; browser?: string } {
  // Without a display a GUI browser exits at once: say "not opened" so the URL gets printed.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { opened: false };
  const browser = findChromium();
  if (!browser) return { opened: false };
  const profile = mkdtempSync(join(tmpdir(), 'corescope-ui-'));
  const args = [
    `--app=${url}`,
    `--user-data-dir=${profile}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  // Chromium refuses to start as root without this; the page is our own loopback UI.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  // A session of its own (detached) at a low priority: see observerPriority.
  const launch = asObserver(browser, args);
  const child = spawn(launch.command, launch.args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
  return { opened: true, browser };
}
