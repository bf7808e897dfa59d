// Issue #15 in the UI, in a real Chromium against `serve` and the real engine: which code held the
// GIL or blocked the loop, named in the verdict panel; a stretch selected on the lanes shows each
// thread's top functions and a flame graph of it; the lanes' tooltip names the function a thread
// was in. Real runs of the scenarios, with CoreScope's stack probes at their default rate.
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, chooseScenario, openHarness, runToEnd, type Harness } from './helpers';

let h: Harness;

beforeAll(async () => {
  h = await openHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** The thread lanes' plot area runs from the left gutter (170 px) to 14 px before the right edge (charts/layout.ts). */
const plotX = (box: { x: number; width: number }, share: number) => box.x + 170 + (box.width - 184) * share;

/** Pixels of a canvas that are neither transparent nor white: something was drawn. */
function drawnPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx || !c.width || !c.height) return 0;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) n++;
    return n;
  });
}

describe('which code, in the UI (issue #15)', () => {
  it('the run form has a "Stack samples" field in Advanced: 0 or 1–1000 per second, its error under it', async () => {
    await h.page.click('button.scenario[data-scenario="py-threads-cpu"]');
    await h.page.click('details.advanced > summary');
    const field = h.page.locator('[data-testid=param-form] [data-field=stacksHz]');
    expect(await field.locator('label').textContent()).toBe('Stack samples');
    const input = field.locator('input[name=stacksHz]');
    expect(await input.inputValue()).toBe('100');
    await input.fill('5000');
    expect(await h.page.textContent('[data-error-for="stacksHz"]')).toMatch(/Stack samples must be 0 \(off\) or a number from 1 to 1000/);
    expect(await h.page.isDisabled('[data-testid=run-button]')).toBe(true);
    await input.fill('0');
    expect((await h.page.textContent('[data-error-for="stacksHz"]'))?.trim()).toBe('');
    await input.fill('100');
    expect(await h.page.isDisabled('[data-testid=run-button]')).toBe(false);
    await h.page.click('details.advanced > summary');
  });

  it('GIL-bound Python threads: the verdict names the busy function; a dragged stretch lists it for both threads with a flame graph; the lanes say which function ran', async () => {
    // Two threads of pure-Python work taking turns on the GIL: ~1.5 s of it.
    await chooseScenario(h.page, 'py-threads-cpu', { tasks: 2, workMs: 750 });
    await runToEnd(h.page);
    const charts = h.page.locator('[data-testid=run-charts]');
    expect(Number(await charts.getAttribute('data-stacks')), 'the finished record brought its stack samples').toBeGreaterThan(50);

    // The verdict panel: which code held the GIL — the workload's busy function, spin() in _work.py.
    const list = h.page.locator('[data-testid=which-code-list]');
    await list.waitFor({ state: 'visible', timeout: 5_000 });
    const listed = (await list.textContent())!;
    console.log(`which code: ${listed}`);
    expect(listed).toMatch(/spin\(\) at \S*_work\.py:\d+/);

    // Where both threads worked: the stretch whose GIL holder the panel names; the lanes span the whole run.
    const gil = list.locator('li[data-kind=gil] [data-testid=finding-span]').first();
    const [gilFrom, gilTo] = [Number(await gil.getAttribute('data-from-ms')), Number(await gil.getAttribute('data-to-ms'))];
    const wallText = await h.page.locator('[data-testid=verdict-panel] dl.evidence dt:text-is("Wall time") + dd').textContent();
    const wallMs = Math.max(1000, /s$/.test(wallText!) ? Number.parseFloat(wallText!) * 1000 : Number.parseFloat(wallText!));
    expect(gilTo - gilFrom, 'the threads took turns for most of a second or more').toBeGreaterThan(600);

    // Drag across the thread lanes over the middle of that stretch.
    const lanes = h.page.locator('[data-testid=thread-lanes]');
    await lanes.scrollIntoViewIfNeeded();
    const box = (await lanes.boundingBox())!;
    const xAt = (ms: number) => plotX(box, ms / wallMs);
    const y = box.y + box.height - 50;
    await h.page.mouse.move(xAt(gilFrom + 0.15 * (gilTo - gilFrom)), y);
    await h.page.mouse.down();
    await h.page.mouse.move(xAt(gilFrom + 0.5 * (gilTo - gilFrom)), y, { steps: 4 });
    await h.page.mouse.move(xAt(gilTo - 0.15 * (gilTo - gilFrom)), y, { steps: 4 });
    await h.page.mouse.up();

    const panel = h.page.locator('[data-testid=stacks-panel]');
    await panel.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await panel.locator('[data-testid=stacks-title]').textContent()).toMatch(/^Code in \d+\.\d\d–\d+\.\d\d s$/);
    expect(await h.page.locator('[data-testid=lanes-selection]').isVisible()).toBe(true);
    // Each worker thread's top function is spin(), with its share.
    const cards = await panel.locator('[data-testid=stack-thread]').evaluateAll((els) =>
      els.map((e) => ({ head: e.querySelector('.stack-thread-head')!.textContent!, top: [...e.querySelectorAll('[data-testid=top-function]')].map((li) => li.textContent!) })),
    );
    console.log(cards.map((c) => `${c.head}: ${c.top.join(' | ')}`).join('\n'));
    const workers = cards.filter((c) => /^cpu-\d/.test(c.head));
    expect(workers.map((c) => c.head.replace(/ .*/, '')).sort()).toEqual(['cpu-0', 'cpu-1']);
    for (const w of workers) expect(w.top[0], w.head).toMatch(/^\d+%spin\(\) at \S*_work\.py:\d+$/);

    // The flame graph: drawn, and fed the stretch's stacks, spin() among them.
    const flame = panel.locator('[data-testid=flame-graph]');
    await expect.poll(() => flame.getAttribute('data-names'), { timeout: 10_000 }).toMatch(/spin\(\) at \S*_work\.py/);
    expect(await flame.getAttribute('data-mode')).toBe('cpu');
    await expect.poll(() => drawnPixels(flame), { timeout: 10_000 }).toBeGreaterThan(2000);
    expect(await flame.getAttribute('data-drawn-nodes')).toMatch(/\bspin\(\)/);

    // The lanes' tooltip names the function a worker thread was in at a busy moment.
    const tip = h.page.locator('.lanes-box .lanes-tooltip');
    // Read again: the page may have moved under the lanes meanwhile (a panel above them redrawn).
    await lanes.scrollIntoViewIfNeeded();
    const now = (await lanes.boundingBox())!;
    let said = '';
    let rowY = 60;
    for (; rowY < now.height - 40 && !/^cpu-\d/.test(said); rowY += 4) {
      await h.page.mouse.move(plotX(now, (gilFrom + gilTo) / 2 / wallMs), now.y + rowY);
      said = (await tip.isVisible()) ? ((await tip.textContent()) ?? '') : '';
    }
    console.log(`lane tooltip: ${said}`);
    expect(said).toMatch(/^cpu-\d \(.* — in spin\(\) at \S*_work\.py:\d+$/);

    // The selection view, as a user sees it: lanes with the band and the tooltip, the code below.
    const hint = h.page.locator('[data-testid=select-hint]');
    await hint.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const top = (await hint.boundingBox())!;
    const bottom = (await panel.boundingBox())!;
    const lanesBox = (await h.page.locator('.lanes-box').boundingBox())!;
    // The pointer back on the worker's lane, its tooltip in the picture.
    const moved = (await lanes.boundingBox())!;
    await h.page.mouse.move(plotX(moved, ((gilFrom + gilTo) / 2 - 0.1 * (gilTo - gilFrom)) / wallMs), moved.y + rowY - 4);
    await expect.poll(() => tip.textContent()).toMatch(/in spin\(\)/);
    const clip = { x: lanesBox.x - 8, y: Math.max(0, top.y - 3), width: lanesBox.width + 16, height: 0 };
    clip.height = Math.min(bottom.y + bottom.height + 8 - clip.y, 1000 - clip.y);
    await h.page.screenshot({ path: join(SCREENSHOTS, 'stacks-selection.png'), clip });

    // Esc clears the selection.
    await h.page.keyboard.press('Escape');
    await expect.poll(() => panel.isHidden()).toBe(true);
    expect(await h.page.locator('[data-testid=lanes-selection]').isHidden()).toBe(true);

    // The cores-busy chart selects the same way.
    await h.page.locator('[data-testid=busy-chart]').scrollIntoViewIfNeeded();
    const busyBox = (await h.page.locator('[data-testid=busy-chart]').boundingBox())!;
    await h.page.mouse.move(plotX(busyBox, 0.3), busyBox.y + busyBox.height / 2);
    await h.page.mouse.down();
    await h.page.mouse.move(plotX(busyBox, 0.6), busyBox.y + busyBox.height / 2, { steps: 5 });
    await h.page.mouse.up();
    await panel.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await panel.textContent()).toMatch(/spin\(\)/);
    await h.page.keyboard.press('Escape');
    await expect.poll(() => panel.isHidden()).toBe(true);

    // A click on a window of the verdict strip selects that window (250 ms).
    await lanes.scrollIntoViewIfNeeded();
    const again = (await lanes.boundingBox())!;
    await h.page.mouse.click(plotX(again, (gilFrom + gilTo) / 2 / wallMs), again.y + 29);
    await panel.waitFor({ state: 'visible', timeout: 5_000 });
    expect(Number(await panel.getAttribute('data-to-ms')) - Number(await panel.getAttribute('data-from-ms'))).toBeCloseTo(250, -1);
    await h.page.keyboard.press('Escape');
    await expect.poll(() => panel.isHidden()).toBe(true);

    // A finding's span in the verdict panel selects that stretch.
    const span = list.locator('[data-testid=finding-span]').first();
    const from = Number(await span.getAttribute('data-from-ms'));
    await span.click();
    await panel.waitFor({ state: 'visible', timeout: 5_000 });
    expect(Number(await panel.getAttribute('data-from-ms'))).toBe(Math.round(from));
    expect(await panel.textContent()).toMatch(/spin\(\)/);
    // Closed by its button, too.
    await panel.locator('[data-testid=stacks-close]').click();
    await expect.poll(() => panel.isHidden()).toBe(true);
  });

  it('a Node.js main thread that blocks its event loop: a "blocked" finding names the function', async () => {
    await chooseScenario(h.page, 'node-main-cpu', { tasks: 2, workMs: 600, chunkMs: 150 });
    await runToEnd(h.page);
    const blocked = h.page.locator('[data-testid=which-code-list] li[data-kind=blocked]').first();
    await blocked.waitFor({ state: 'visible', timeout: 5_000 });
    const text = (await blocked.textContent())!;
    console.log(`blocked: ${text}`);
    // _work.mjs: busyFor() spins spin(), which runs block(): whichever V8 saw on top.
    expect(text).toMatch(/blocked the loop.*the event loop \(pid \d+\) was blocked \d+ ms in (block|spin|busyFor)\(\) at \S*_work\.mjs/);
    await blocked.locator('[data-testid=finding-span]').click();
    const panel = h.page.locator('[data-testid=stacks-panel]');
    await panel.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await panel.locator('[data-testid=top-function]').first().textContent()).toMatch(/(block|spin|busyFor)\(\) at \S*_work\.mjs/);
    await expect.poll(() => drawnPixels(panel.locator('[data-testid=flame-graph]')), { timeout: 10_000 }).toBeGreaterThan(2000);
    await h.page.keyboard.press('Escape');
  });

  it('a run with stack samples off says so in one quiet line', async () => {
    await chooseScenario(h.page, 'py-threads-cpu', { tasks: 1, workMs: 100 });
    await h.page.click('details.advanced > summary');
    await h.page.fill('[data-testid=param-form] [name=stacksHz]', '0');
    await runToEnd(h.page);
    expect(await h.page.textContent('[data-testid=which-code] [data-testid=no-stacks]')).toMatch(/No stack samples: they were off for this run/);
    expect(await h.page.locator('[data-testid=which-code-list]').count()).toBe(0);
    await h.page.fill('[data-testid=param-form] [name=stacksHz]', '100');
  });

  it('logged no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
