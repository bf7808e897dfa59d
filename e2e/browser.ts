// Finds a Chromium for the end-to-end tests, or fails loudly with how to get one: these tests
// are the only proof the UI works, so a missing browser must never turn into a silent skip.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { observerLauncherScript } from '../src/cli/serve/observerPriority';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Chromium builds Playwright's own installer left in its cache, newest first. */
function playwrightCacheChromium(): string | null {
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(cache)) return null;
  const dirs = readdirSync(cache).filter((d) => /^chromium(-|_headless_shell-)\d+/.test(d)).sort().reverse();
  for (const d of dirs) {
    for (const rel of ['chrome-linux/chrome', 'chrome-linux64/chrome', 'chrome-linux/headless_shell', 'chrome-headless-shell-linux64/chrome-headless-shell']) {
      const p = join(cache, d, rel);
      if (executable(p)) return p;
    }
  }
  return null;
}

export function findChromiumForTests(): { path: string; tried: string[] } | { path: null; tried: string[] } {
  const tried: string[] = [];
  const env = process.env.CORESCOPE_CHROMIUM;
  if (env) {
    tried.push(`CORESCOPE_CHROMIUM=${env}`);
    if (executable(env)) return { path: env, tried };
  }
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    tried.push(p);
    if (executable(p)) return { path: p, tried };
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    tried.push(`${name} on PATH`);
    const p = onPath(name);
    if (p) return { path: p, tried };
  }
  tried.push("Playwright's browser cache");
  const cached = playwrightCacheChromium();
  return cached ? { path: cached, tried } : { path: null, tried };
}

/** As root on Debian, the package manager can fetch one: try it once before giving up. */
function tryAptInstall(): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !onPath('apt-get')) return;
  try {
    execFileSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'ignore', timeout: 300_000 });
  } catch {
    // Fall through to the loud failure below, which says what to do.
  }
}

export function requireChromium(): string {
  let found = findChromiumForTests();
  if (!found.path) {
    tryAptInstall();
    found = findChromiumForTests();
  }
  if (!found.path) {
    throw new Error(
      [
        'No Chromium/Chrome found for the end-to-end tests. Looked at: ' + found.tried.join(', ') + '.',
        'Get one with ONE of:',
        '  Debian/Ubuntu:  sudo apt-get install -y chromium',
        '  any machine online:  npx playwright install chromium',
        '  or point CORESCOPE_CHROMIUM at a Chrome/Chromium executable.',
      ].join('\n'),
    );
  }
  return found.path;
}

/**
 * The browser is the observer, not the experiment: it starts as CoreScope's own `serve --open`
 * window does (src/cli/serve/observerPriority.ts), its session's autogroup and itself at a low priority (nice 10),
 * so on this 2-core VM its software rendering takes only what the workload leaves idle. Playwright
 * already starts it in a session of its own; a launcher script lowers that session first.
 */
function observerLauncher(executablePath: string): string {
  if (process.platform !== 'linux') return executablePath;
  const script = join(mkdtempSync(join(tmpdir(), 'corescope-chromium-')), 'chromium-observer');
  writeFileSync(script, `#!/bin/sh\n${observerLauncherScript(executablePath)}`, { mode: 0o755 });
  return script;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: observerLauncher(requireChromium()), headless: true, args: CHROMIUM_FLAGS });
}
