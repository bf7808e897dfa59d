// Shared setup for the browser tests: a fresh renderer build, the real engine behind a real
// `serve`, and a Chromium page on it. Never a fake engine: these tests prove the whole path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { createEngine } from '../src/engine';
import { startServer, type ServeHandle } from '../src/cli/serve';
import { launchChromium } from './browser';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

let built = false;
/** Builds the renderer from the current source once per test process, so tests never see a stale bundle. */
export function buildRenderer(): void {
  if (built) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'pipe' });
  built = true;
}

/**
 * Real runs for tests that only read what they produced (reports, trace files): made with an
 * engine of their own, disposed afterwards so nothing of it keeps running.
 */
export async function withThrowawayEngine<T>(use: (engine: ReturnType<typeof createEngine>) => Promise<T>): Promise<T> {
  const engine = createEngine();
  try {
    return await use(engine);
  } finally {
    await engine.dispose();
  }
}

export interface Harness {
  engine: ReturnType<typeof createEngine>;
  server: ServeHandle;
  browser: Browser;
  page: Page;
  /** Errors the page logged; tests assert there are none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** `stateDir`: where the engine keeps its autosave (a fresh temp dir unless the test names one). */
export async function openHarness(opts: { stateDir?: string; sshConfig?: string } = {}): Promise<Harness> {
  buildRenderer();
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A state dir of its own: another test file's autosave must not be restored into this page.
  const engine = createEngine({ stateDir: opts.stateDir ?? mkdtempSync(join(tmpdir(), 'corescope-e2e-state-')), sshConfig: opts.sshConfig });
  const server = await startServer({ engine, host: '127.0.0.1', rendererDir: join(ROOT, 'out', 'renderer') });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  // The charts' code loads after the page is usable (src/renderer/views/lazyViews.ts): tests
  // start once it has, as a person would hardly notice the tenth of a second.
  await page.waitForSelector('body[data-views="ready"]', { timeout: 20_000 });
  return {
    engine,
    server,
    browser,
    page,
    pageErrors,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.close();
      await engine.dispose();
    },
  };
}

export async function chooseScenario(page: Page, id: string, params: Record<string, string | number>): Promise<void> {
  await page.click(`button.scenario[data-scenario="${id}"]`);
  for (const [name, value] of Object.entries(params)) await page.fill(`[data-testid=param-form] [name="${name}"]`, String(value));
}

/** Runs the chosen scenario to the end and returns its result row's parallelism. */
export async function runToEnd(page: Page, timeoutMs = 45_000): Promise<{ runId: string; parallelism: number }> {
  const before = await page.locator('tr[data-run-id]').count();
  await page.click('[data-testid=run-button]');
  // Poll on a timer, not every animation frame: rAF polling keeps the page drawing at 60 Hz and
  // takes CPU from the very workload being measured on this 2-core machine.
  await page.waitForFunction((n) => document.querySelectorAll('tr[data-run-id]').length > n, before, { timeout: timeoutMs, polling: 250 });
  const row = page.locator('tr[data-run-id]').first();
  return { runId: (await row.getAttribute('data-run-id'))!, parallelism: Number(await row.locator('td.parallelism').getAttribute('data-value')) };
}

/** Runs what the form holds, lets it go `forMs`, presses Cancel (Stop watching, for an attach) and returns the new result row. */
export async function runThenCancel(page: Page, forMs: number): Promise<Locator> {
  const before = await page.locator('tr[data-run-id]').count();
  await page.click('[data-testid=run-button]');
  await page.waitForTimeout(forMs);
  await page.click('[data-testid=cancel-button]');
  await page.waitForFunction((n) => document.querySelectorAll('tr[data-run-id]').length > n, before, { timeout: 20_000, polling: 250 });
  return page.locator('tr[data-run-id]').first();
}

/** A zombie (exited, not yet reaped) counts as gone: it runs nothing. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
