// The trace-event export opened in a real trace viewer: speedscope (an npm dev dependency, its
// built web app loaded from node_modules over file://) imports the file in headless Chromium.
// Its importer warns about every slice that does not nest on its track and every slice left
// open; a file it reads without one warning, showing one profile per track we wrote, is a file
// Perfetto and chrome://tracing read too. Screenshot: docs/screenshots/trace-in-speedscope.png.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/shared/types';
import { runToTrace } from '../src/engine';
import { launchChromium } from './browser';
import { ROOT, SCREENSHOTS, withThrowawayEngine } from './helpers';

const SPEEDSCOPE = join(ROOT, 'node_modules', 'speedscope', 'dist', 'release', 'index.html');
const dir = mkdtempSync(join(tmpdir(), 'corescope-trace-'));
let browser: Browser;
const records: RunRecord[] = [];

beforeAll(async () => {
  if (!existsSync(SPEEDSCOPE)) throw new Error(`speedscope is missing (${SPEEDSCOPE}): run npm install (it is a dev dependency)`);
  await withThrowawayEngine(async (engine) => {
    // Tasks reported by child processes and by worker threads, each on a thread that also has running slices.
    records.push(await engine.runToEnd({ kind: 'scenario', scenario: 'py-mp-cpu', params: { tasks: 2, workMs: 400 }, rateHz: 50 }));
    records.push(await engine.runToEnd({ kind: 'scenario', scenario: 'node-worker-threads', params: { tasks: 2, workMs: 400 }, rateHz: 50 }));
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('trace-event export in a trace viewer (speedscope)', () => {
  for (const [i, name] of ['py-mp-cpu', 'node-worker-threads'].entries()) {
    it(`${name}: imported with no warning, one profile per track with slices, no network request`, async () => {
      const trace = runToTrace(records[i]);
      const file = join(dir, `${name}.trace.json`);
      writeFileSync(file, JSON.stringify(trace));
      const tracks = new Set(trace.traceEvents.filter((e) => e.ph === 'X' || e.ph === 'B').map((e) => `${e.pid}:${e.tid}`));
      expect(trace.traceEvents.some((e) => e.ph === 'B')).toBe(true);
      // The run's phases, as slices on a track of their own (issue #14).
      expect(records[i].result.phases?.length ?? 0).toBeGreaterThan(0);
      expect(trace.traceEvents.filter((e) => e.cat === 'phase').length).toBe(records[i].result.phases!.length);

      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const warnings: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        // The GPU driver's own chatter under software rendering is not about the file.
        if ((m.type() === 'warning' || m.type() === 'error') && !m.text().includes('GL Driver')) warnings.push(m.text());
      });
      page.on('pageerror', (e) => warnings.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      try {
        await page.goto(pathToFileURL(SPEEDSCOPE).href);
        await page.setInputFiles('input[type=file]', file);
        await expect.poll(() => page.title(), { timeout: 10_000 }).toBe(`${name}.trace.json - speedscope`);
        // The profile picker reads "<thread name> (k/N)": N is the number of imported tracks.
        const body = await page.innerText('body');
        const m = /\((\d+)\/(\d+)\)/.exec(body);
        expect(m, `no profile counter in: ${body.slice(0, 300)}`).not.toBeNull();
        expect(Number(m![2])).toBe(tracks.size);
        expect(warnings).toEqual([]);
        expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
        if (i === 0) {
          // A task lane is the picture worth keeping: the workload's own task, as a slice.
          for (let k = 0; k < tracks.size && !(await page.innerText('body')).includes('tasks lane'); k++) await page.keyboard.press('n');
          await page.screenshot({ path: join(SCREENSHOTS, 'trace-in-speedscope.png') });
        }
      } finally {
        await page.close();
      }
    });
  }
});
