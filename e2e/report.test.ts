// The HTML reports in a real headless Chromium: they open from file:// with no network request
// at all and their charts render (SVG with drawn paths). Screenshot: docs/screenshots/report.png.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/shared/types';
import { buildSweepResult, sweepRunRef } from '../src/shared/sweep';
import type { SessionFile } from '../src/shared/sessionSchema';
import { buildSession, comparisonReportHtml, sessionReportHtml } from '../src/engine';
import { launchChromium } from './browser';
import { SCREENSHOTS, withThrowawayEngine } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'corescope-report-'));
let browser: Browser;
let session: SessionFile;

beforeAll(async () => {
  // A small real session: two single runs and a 1,2 sweep of multiprocessing.
  session = await withThrowawayEngine(async (engine) => {
    const records: RunRecord[] = [];
    records.push(await engine.runToEnd({ kind: 'scenario', scenario: 'py-threads-cpu', params: { tasks: 2, workMs: 700 }, rateHz: 50 }));
    records.push(await engine.runToEnd({ kind: 'scenario', scenario: 'node-worker-threads', params: { tasks: 2, workMs: 300 }, rateHz: 50 }));
    const refs = [];
    for (const tasks of [1, 2]) {
      const r = await engine.runToEnd({ kind: 'scenario', scenario: 'py-mp-cpu', params: { tasks, workMs: 300 }, rateHz: 50 });
      records.push(r);
      refs.push(sweepRunRef(r.result, tasks, 1));
    }
    // A run that failed: the report must say so, with its stderr (issue #20).
    records.push(await engine.runToEnd({ kind: 'command', cmd: 'echo "oops: input.txt not found" >&2; exit 3', rateHz: 50 }));
    const info = await engine.info();
    const sweep = buildSweepResult({ scenario: 'py-mp-cpu', params: { workMs: 300 }, taskCounts: [1, 2], repeat: 1, logicalCores: info.hardware.cpu.logicalCores, runs: refs, complete: true });
    return buildSession(() => engine.info(), records, { sweeps: [sweep] });
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function open(html: string, name: string, shot?: string): Promise<{ requests: string[]; svgs: number; paths: number; errors: string[] }> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForLoadState('load');
  const svgs = await page.locator('svg.chart').count();
  // Paths with real geometry, not empty "d" attributes.
  const paths = await page.evaluate(() => [...document.querySelectorAll('svg.chart path')].filter((p) => (p.getAttribute('d') ?? '').length > 10 && (p as SVGGeometryElement).getTotalLength() > 0).length);
  if (shot) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
  }
  await context.close();
  return { requests, svgs, paths, errors };
}

describe('HTML reports in Chromium', () => {
  it('a session report opens with no network request and renders its charts', async () => {
    const html = sessionReportHtml(session);
    const got = await open(html, 'session.html', join(SCREENSHOTS, 'report.png'));
    expect(got.requests).toEqual([pathToFileURL(join(dir, 'session.html')).href]);
    expect(got.errors).toEqual([]);
    // Per run: core lanes, cores busy, thread lanes, and its phases when it has any; the sweep: speedup and share.
    const withPhases = session.runs.filter((r) => r.result.phases?.length).length;
    expect(withPhases).toBeGreaterThanOrEqual(4);
    expect(got.svgs).toBe(session.runs.length * 3 + withPhases + 2);
    expect(html.match(/data-table="phases"/g)?.length).toBe(withPhases);
    expect(html).toMatch(/Serial fraction from this run: \d+ %/);
    // The sweep's fitted Amdahl line and, beside it, each run's own ceiling from its phases.
    expect(html).toMatch(/data-single-run-ceilings>Single-run Amdahl ceilings/);
    // The failed run reads as failed, with its stderr.
    expect(html).toMatch(/<span class="badge failed">failed<\/span>/);
    expect(html).toMatch(/This run failed[\s\S]*oops: input\.txt not found/);
    expect(got.paths).toBeGreaterThan(session.runs.length * 6);
    // Which code (issue #15): the GIL-bound threads' function, from the run's own stack samples,
    // in that run's section. 700 ms of work per thread: with 300 ms a clean clone's report once
    // lacked it (not reproduced here; start-up and wind-down, a large part of so short a run,
    // are not findings) — should it fail again, the message says what the section held.
    const threadsRun = /<details data-run="0"[\s\S]*?<\/details>/.exec(html)![0];
    expect(session.runs[0].stacks?.t.length ?? 0, 'py-threads-cpu took no stack samples').toBeGreaterThan(0);
    // Its message, should it fail, is what the section did say (and the run's phases).
    const said = `${/<section data-which-code>[\s\S]*?<\/section>/.exec(threadsRun)?.[0].replace(/<[^>]+>/g, ' ').slice(0, 1500)} — phases: ${JSON.stringify(session.runs[0].result.phases?.map((p) => [p.kind, p.toMs - p.fromMs, p.code]))}`;
    expect(threadsRun, said).toMatch(/<section data-which-code>[\s\S]*<code>spin\(\) at python\/_work\.py:\d+<\/code>/);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });

  it('a comparison report opens with no network request and draws every machine', async () => {
    const other = JSON.parse(JSON.stringify(session)) as SessionFile;
    other.hardware.cpu.logicalCores = 8;
    other.hardware.hostname = 'workstation';
    const html = comparisonReportHtml([
      { label: 'this machine', session },
      { label: 'workstation', session: other },
    ]);
    const got = await open(html, 'compare.html', join(dir, 'compare.png'));
    expect(got.requests).toHaveLength(1);
    expect(got.errors).toEqual([]);
    expect(got.svgs).toBe(2);
    expect(got.paths).toBeGreaterThan(4);
    expect(html).toContain('hardware differs in: cores (physical / logical)');
  });
});
