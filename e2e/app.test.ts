// The desktop UI in a real Chromium against `serve` and the real engine: the article's core
// claim (threads share a core under the GIL, processes fill the cores) must be visible and
// measured, and every control must do what it says.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sustainedCores } from '../test/helpers/sustainedCores';
import { SCREENSHOTS, chooseScenario, openHarness, processAlive, runToEnd, type Harness } from './helpers';

let h: Harness;

beforeAll(async () => {
  h = await openHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('CoreScope in the browser', () => {
  /** The GIL-bound threads run's parallelism, for the processes run to be compared with. */
  let threadsParallelism = Infinity;
  it('shows the scenario picker grouped by runtime with explanations', async () => {
    const groups = await h.page.locator('[data-testid=scenario-picker] h3').allTextContents();
    expect(groups).toEqual(['Python', 'Node.js', 'Custom']);
    await chooseScenario(h.page, 'py-threads-cpu', { tasks: 2 });
    await expect.poll(() => h.page.textContent('[data-testid=scenario-explanation]')).toMatch(/Global Interpreter Lock/);
    expect(await h.page.isEnabled('[data-testid=run-button]')).toBe(true);
    await h.page.screenshot({ path: join(SCREENSHOTS, 'picker.png') });
  });

  it('a bad parameter shows an error next to the field and starts nothing', async () => {
    await chooseScenario(h.page, 'py-threads-cpu', { tasks: 'lots' });
    const error = h.page.locator('[data-error-for="tasks"]');
    await expect.poll(() => error.textContent()).toMatch(/tasks|integer|number/i);
    expect(await h.page.isDisabled('[data-testid=run-button]')).toBe(true);
    // Even a forced click does nothing: no run, no status.
    await h.page.click('[data-testid=run-button]', { force: true });
    await h.page.waitForTimeout(300);
    expect(await h.page.locator('tr[data-run-id]').count()).toBe(0);
    expect((await h.page.textContent('[data-testid=run-status]'))?.trim()).toBe('');
    await h.page.fill('[data-testid=param-form] [name="tasks"]', '0');
    await expect.poll(() => error.textContent()).toMatch(/1/);
    await h.page.fill('[data-testid=param-form] [name="tasks"]', '2');
    await expect.poll(() => error.textContent()).toBe('');
    expect(await h.page.isEnabled('[data-testid=run-button]')).toBe(true);
  });

  it('Python threads on CPU work: the chart fills live, parallelism stays below 1.3', async () => {
    await chooseScenario(h.page, 'py-threads-cpu', { tasks: 2, workMs: 1500 });
    const charts = h.page.locator('[data-testid=run-charts]');
    const before = await h.page.locator('tr[data-run-id]').count();
    await h.page.click('[data-testid=run-button]');
    await h.page.waitForSelector('[data-testid=run-charts][data-live="true"]', { timeout: 10_000 });
    // The per-core chart gains samples while the run is still going.
    await expect.poll(async () => Number(await charts.getAttribute('data-samples')), { timeout: 10_000 }).toBeGreaterThan(3);
    const first = Number(await charts.getAttribute('data-samples'));
    await h.page.waitForTimeout(700);
    const second = Number(await charts.getAttribute('data-samples'));
    expect(second).toBeGreaterThan(first);
    expect(await h.page.locator('tr[data-run-id]').count()).toBe(before);
    await h.page.waitForFunction((n) => document.querySelectorAll('tr[data-run-id]').length > n, before, { timeout: 45_000 });
    const row = h.page.locator('tr[data-run-id]').first();
    const parallelism = Number(await row.locator('td.parallelism').getAttribute('data-value'));
    expect(parallelism).toBeGreaterThan(0.3);
    expect(parallelism).toBeLessThan(1.3);
    threadsParallelism = parallelism;
    await expect.poll(() => h.page.textContent('[data-testid=verdict-text]')).toMatch(/\S/);
    await h.page.locator('[data-testid=run-charts]').screenshot({ path: join(SCREENSHOTS, 'thread-lanes.png') });
    expect(Number(await charts.getAttribute('data-threads'))).toBeGreaterThanOrEqual(3);
  });

  // The browser drawing the live run is the observer and starts at a low priority (nice 10 for
  // its session's autogroup), as CoreScope's own window does (e2e/browser.ts,
  // src/cli/serve/observerPriority.ts): low enough to leave the workload the cores, high enough
  // that the page still answers a click on Cancel. It still takes ~0.15–0.2 core while the run
  // saturates both (renderer ~15 %, software compositing ~7 %), and its share falls unevenly on
  // the two processes: 1.5–3 s runs measured 1.49–1.74 here, 5 s runs 1.61–1.70, 8 s runs
  // 1.72–1.76 and once 1.55 (the CLI, no browser: 1.6–1.9 on the same minutes of this VM, whose
  // speed drifts). So the run is long enough for start-up and the slower process's tail to weigh
  // little, and, like every physics test here, it may run again up to twice: it still passes only
  // on a measurement above 1.6.
  it('Python multiprocessing on the same work: well over one core, far above the threads run', { retry: 2 }, async () => {
    await chooseScenario(h.page, 'py-mp-cpu', { tasks: 2, workMs: 8000 });
    const { runId } = await runToEnd(h.page);
    // Both cores full while both processes ran (see sustainedCores).
    const { result } = await h.engine.getRun(runId);
    const cores = sustainedCores(result);
    expect(cores, JSON.stringify(result.phases?.map((p) => [p.kind, p.cores, p.toMs - p.fromMs]))).toBeGreaterThan(1.6);
    expect(cores).toBeGreaterThan(threadsParallelism + 0.3);
  });

  it('compares the two runs side by side', async () => {
    const rows = h.page.locator('tr[data-run-id]');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    await rows.nth(0).locator('input[type=checkbox]').check();
    await rows.nth(1).locator('input[type=checkbox]').check();
    await h.page.click('[data-testid=compare-button]');
    const view = h.page.locator('[data-testid=compare-view]');
    await view.waitFor({ state: 'visible' });
    expect(await view.locator('.compare-card').count()).toBe(2);
  });

  it('runs one of the article’s comparisons in one click', async () => {
    const before = await h.page.locator('tr[data-run-id]').count();
    await h.page.click('button.preset[data-preset="threads-vs-processes"]');
    await h.page.waitForFunction((n) => document.querySelectorAll('tr[data-run-id]').length >= n + 2, before, { timeout: 60_000 });
    const view = h.page.locator('[data-testid=compare-view]');
    await view.waitFor({ state: 'visible' });
    expect(await view.locator('.compare-card').count()).toBe(2);
    expect(await view.locator('h2').textContent()).toMatch(/threads vs processes/i);
    await view.scrollIntoViewIfNeeded();
    await view.screenshot({ path: join(SCREENSHOTS, 'comparison.png') });
  });

  it('exports a chart as a PNG with chart pixels in it', async () => {
    await h.page.locator('tr[data-run-id]').first().click();
    const [download] = await Promise.all([h.page.waitForEvent('download'), h.page.click('[data-export-png="cores"]')]);
    const path = await download.path();
    const bytes = readFileSync(path!);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(bytes.length).toBeGreaterThan(5_000);
    // Decode it in a blank page and count the coloured (chart) pixels.
    const blank = await h.page.context().newPage();
    const stats = await blank.evaluate(async (b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([data], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      const px = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      let blue = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 2] > 150 && px[i] < 140 && px[i + 1] < 190) blue++;
      return { width: bmp.width, height: bmp.height, blue };
    }, bytes.toString('base64'));
    await blank.close();
    expect(stats.width).toBeGreaterThan(400);
    expect(stats.height).toBeGreaterThan(100);
    // The user-time fill of a busy core is blue; a blank chart has none.
    expect(stats.blue).toBeGreaterThan(2_000);
    writeFileSync(join(SCREENSHOTS, 'export-cores.png'), bytes);
  });

  it('exports chart PNGs at the chosen scale, redrawn (not stretched), and leaves the screen as it was', async () => {
    await h.page.locator('tr[data-run-id]').first().click();
    const pngSize = async (selector: string, scale: string): Promise<{ width: number; height: number }> => {
      await h.page.selectOption('[data-testid=png-scale]', scale);
      const [download] = await Promise.all([h.page.waitForEvent('download'), h.page.click(selector)]);
      const bytes = readFileSync((await download.path())!);
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      if (scale === '3') writeFileSync(join(SCREENSHOTS, `export-${selector.includes('lanes') ? 'lanes' : 'busy'}-3x.png`), bytes);
      return h.page.evaluate(async (b64) => {
        const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const bmp = await createImageBitmap(new Blob([data], { type: 'image/png' }));
        return { width: bmp.width, height: bmp.height };
      }, bytes.toString('base64'));
    };
    // A Chart.js chart (cores busy) and a hand-drawn one (thread lanes): nothing stretches a bitmap,
    // so a PNG three times as wide means the chart was drawn with three times the pixels.
    for (const id of ['busy', 'lanes']) {
      const selector = `[data-export-png="${id}"]`;
      const css = await h.page.locator(id === 'busy' ? '[data-testid=busy-chart]' : '[data-testid=thread-lanes]').evaluate((c: HTMLCanvasElement) => ({ w: c.clientWidth, dpr: c.width / c.clientWidth }));
      const one = await pngSize(selector, '1');
      const three = await pngSize(selector, '3');
      expect(Math.abs(one.width - css.w)).toBeLessThanOrEqual(1);
      expect(Math.abs(three.width - 3 * css.w)).toBeLessThanOrEqual(3);
      expect(Math.abs(three.height - 3 * one.height)).toBeLessThanOrEqual(6);
      // The on-screen canvas is back at the screen's resolution.
      const after = await h.page.locator(id === 'busy' ? '[data-testid=busy-chart]' : '[data-testid=thread-lanes]').evaluate((c: HTMLCanvasElement) => c.width / c.clientWidth);
      expect(after).toBeCloseTo(css.dpr, 2);
    }
    // The choice is remembered for the next start.
    expect(await h.page.evaluate(() => localStorage.getItem('corescope.pngScale'))).toBe('3');
  });

  it('cancelling a long run stops it and leaves none of its processes', async () => {
    await chooseScenario(h.page, 'py-mp-cpu', { tasks: 2, workMs: 60_000 });
    const charts = h.page.locator('[data-testid=run-charts]');
    await h.page.click('[data-testid=run-button]');
    await h.page.waitForSelector('[data-testid=run-charts][data-live="true"]', { timeout: 10_000 });
    // The parent and its two children, alive: the lanes may also list a process that came and
    // went before them (a launcher's helper), which no cancel needs to end.
    const alivePids = async (): Promise<number[]> => ((await charts.getAttribute('data-pids')) ?? '').split(' ').filter(Boolean).map(Number).filter(processAlive);
    await expect.poll(async () => (await alivePids()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    const pids = await alivePids();
    // Mid-run is the moment worth a picture: both cores filling, lanes growing.
    await h.page.waitForTimeout(2500);
    // The README's picture of a live run, when the page can draw one: at nice 10 beside a
    // workload holding both cores (and other test files' work), Chromium once produced no frame
    // for the screenshot in 30 s, and once did not even answer the scroll before it in 30 s
    // (clean-clone CI). The picture is not what this test proves; the cancel below is.
    try {
      await h.page.locator('[data-testid=live-cards]').evaluate((el) => el.scrollIntoView({ block: 'start' }), undefined, { timeout: 20_000 });
      await h.page.screenshot({ path: join(SCREENSHOTS, 'live-run.png'), timeout: 20_000 });
    } catch (err) {
      console.warn(`live-run.png not refreshed: ${(err as Error).message.split('\n')[0]}`);
    }
    // Back to the button first, at once: Playwright's own scrolling waits for the page to draw
    // stable frames, and with both cores held by the workload (the browser runs at nice 10) a
    // clean clone's click once waited out its 30 s there.
    await h.page.locator('[data-testid=cancel-button]').evaluate((el) => el.scrollIntoView({ block: 'center' }), undefined, { timeout: 60_000 });
    // force: no wait for two stable animation frames, which a starved page may not draw for long;
    // the button is in view and enabled (checked first), and the click is a real mouse click.
    expect(await h.page.isEnabled('[data-testid=cancel-button]')).toBe(true);
    await h.page.click('[data-testid=cancel-button]', { timeout: 60_000, force: true });
    await expect.poll(() => h.page.textContent('[data-testid=run-status]'), { timeout: 15_000 }).toMatch(/Cancelled/);
    await expect.poll(() => pids.filter(processAlive), { timeout: 5_000 }).toEqual([]);
    expect(await h.page.locator('tr[data-run-id]').first().locator('td').last().textContent()).toBe('cancelled');
    // Its steps may each wait a while on a page drawn at nice 10 beside a workload holding both
    // cores (the scroll and the click up to 60 s each): the test's own limit must not be shorter than theirs.
  }, 240_000);

  it('logged no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
