// The trace-event export opened in a real trace viewer: speedscope (an npm dev dependency, its
// built web app loaded from node_modules over file://) imports the file in headless Chromium.
// Its importer warns about every slice that does not nest on its track and every slice left
// open; a file it reads without one warning, showing one profile per track we wrote, is a file
// Perfetto and chrome://tracing read too. Screenshot: docs/screenshots/trace-in-speedscope.png.
// The stack samples (issue #15) are checked in what speedscope made of them: its own export of
// the imported profiles, one per track, must hold the sampled functions with the time they ran.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/shared/types';
import { runToTrace } from '../src/engine';
import { launchChromium } from './browser';
import { ROOT, SCREENSHOTS, withThrowawayEngine } from './helpers';
import { stackRecord } from '../test/helpers/stackRecord';

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

interface ExportedProfile {
  name: string;
  /** Time in each frame (by name), in µs, a frame open inside itself counted once. */
  totals: Map<string, number>;
}

/** speedscope's own export (its Export button) of everything it imported: one profile per track. */
async function exportedProfiles(page: Page): Promise<ExportedProfile[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('Export', { exact: false }).first().click()]);
  const file = await download.path();
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    shared: { frames: { name: string }[] };
    profiles: { name: string; type: string; events: { type: 'O' | 'C'; frame: number; at: number }[] }[];
  };
  return data.profiles.map((p) => {
    const totals = new Map<string, number>();
    const open: { frame: number; at: number }[] = [];
    for (const e of p.events) {
      if (e.type === 'O') open.push({ frame: e.frame, at: e.at });
      else {
        const o = open.pop()!;
        if (!open.some((x) => x.frame === o.frame)) {
          const name = data.shared.frames[o.frame].name;
          totals.set(name, (totals.get(name) ?? 0) + (e.at - o.at));
        }
      }
    }
    return { name: p.name, totals };
  });
}

/** The heaviest frame in a profile whose name matches, and its time (µs). */
const heaviest = (p: ExportedProfile, name: RegExp): number => Math.max(0, ...[...p.totals].filter(([n]) => name.test(n)).map(([, w]) => w));

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
        // Which code (issue #15): each worker's function, on the code track of the thread that
        // ran it, for about the time it ran (400 ms of CPU each; at least half of that sampled).
        expect(records[i].stacks?.t.length ?? 0, 'the run took no stack samples').toBeGreaterThan(0);
        const fn = i === 0 ? /^spin\(\) at python\/_work\.py:\d+/ : /^spin\(\) at node\/_work\.mjs/;
        const profiles = await exportedProfiles(page);
        expect(profiles).toHaveLength(tracks.size);
        const busy = profiles.filter((p) => p.name.includes('— code') && heaviest(p, fn) >= 200_000);
        expect(busy.length, `code tracks with ${fn}: ${profiles.map((p) => `${p.name}: ${[...p.totals].slice(0, 8).join('; ')}`).join(' | ')}`).toBeGreaterThanOrEqual(2);
        expect(busy.every((p) => heaviest(p, fn) <= 1.5 * records[i].result.wallMs * 1000)).toBe(true);
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

  it('stack samples: speedscope shows each thread\'s functions with the time they ran, with no warning', async () => {
    const trace = runToTrace(stackRecord());
    const file = join(dir, 'stacks.trace.json');
    writeFileSync(file, JSON.stringify(trace));
    const tracks = new Set(trace.traceEvents.filter((e) => e.ph === 'X' || e.ph === 'B').map((e) => `${e.pid}:${e.tid}`));
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const warnings: string[] = [];
    page.on('console', (m) => {
      if ((m.type() === 'warning' || m.type() === 'error') && !m.text().includes('GL Driver')) warnings.push(m.text());
    });
    page.on('pageerror', (e) => warnings.push(e.message));
    try {
      await page.goto(pathToFileURL(SPEEDSCOPE).href);
      await page.setInputFiles('input[type=file]', file);
      await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('stacks.trace.json - speedscope');
      const profiles = await exportedProfiles(page);
      expect(warnings).toEqual([]);
      expect(profiles).toHaveLength(tracks.size);
      const byThread = (name: string): ExportedProfile => {
        const p = profiles.find((x) => x.name.includes(`${name} — code`));
        expect(p, `no profile for ${name}'s code in ${profiles.map((x) => x.name).join(', ')}`).toBeDefined();
        return p!;
      };
      // worker-1: 800 ms in its thread's bootstrap, 400 ms on each of count()'s two lines.
      const w1 = byThread('worker-1');
      expect(w1.totals.get('_bootstrap() at python3.11/threading.py:1002')).toBe(800_000);
      expect(w1.totals.get('worker() at app/app.py:20')).toBe(800_000);
      expect(w1.totals.get('count() at app/work.py:12')).toBe(400_000);
      expect(w1.totals.get('count() at app/work.py:13')).toBe(400_000);
      // The main thread: the whole run in <module>, 120 ms blocked in crunch() called from handler().
      const main = byThread('MainThread');
      expect(main.totals.get('<module>() at app/app.py:60')).toBe(1_200_000);
      expect(main.totals.get('join() at python3.11/threading.py:1119')).toBe(800_000);
      expect(main.totals.get('handler() at app/app.py:50')).toBe(120_000);
      expect(main.totals.get('crunch() at app/app.py:55')).toBe(120_000);
      // The findings, on a track of their own, each under its text.
      const findings = profiles.find((p) => p.name.includes('which code (findings)'))!;
      expect([...findings.totals.keys()].some((k) => k.startsWith('gil: count {"text":"thread worker-1 (pid 100) ran count()'))).toBe(true);
    } finally {
      await page.close();
    }
  });
});
