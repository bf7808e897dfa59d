// Issue #20 (what a user sees) and the display side of #14 (phases), in a real Chromium against
// `serve` and the real engine, one test per point of the issue, with screenshots in
// docs/screenshots (looked at when they change). Runs are short custom commands or small
// scenarios: this file proves what the page says, not the physics (app.test.ts does that).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, chooseScenario, openHarness, runToEnd, type Harness } from './helpers';

let h: Harness;

beforeAll(async () => {
  h = await openHarness();
}, 120_000);

const dir = mkdtempSync(join(tmpdir(), 'corescope-what-user-sees-'));

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Types a command into the Custom form and runs it to the end. */
async function runCommand(cmd: string): Promise<string> {
  await h.page.click('button.scenario[data-scenario="custom"]');
  await h.page.fill('[data-testid=param-form] [name="cmd"]', cmd);
  return (await runToEnd(h.page)).runId;
}

const noOverflow = () => h.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));

describe('what a user sees (issue #20)', () => {
  it('4. the page is usable in under 1 s; the runtimes arrive later', async () => {
    // The harness's page was the first to ask this fresh engine: its probe of every interpreter
    // had not been cached, yet the page was ready (picker, form, Run enabled) without waiting.
    const readyMs = Number(await h.page.getAttribute('body', 'data-ready-ms'));
    const appReadyMs = Number(await h.page.getAttribute('body', 'data-app-ready-ms'));
    console.log(`page ready ${readyMs} ms after navigation, ${appReadyMs} ms after its script started`);
    expect(await h.page.getAttribute('body', 'data-runtimes-at-ready')).toBe('loading');
    expect(readyMs).toBeGreaterThan(0);
    // Navigation to a usable page: the browser runs at nice 10 (e2e/browser.ts), so on a machine
    // others load heavily this can fail on the browser's own start; it is not loosened for that.
    expect(readyMs).toBeLessThan(1000);
    expect(await h.page.locator('button.scenario').count()).toBeGreaterThan(3);
    // The runtimes fill the interpreter choice when the engine has them.
    await h.page.waitForSelector('body[data-runtimes="ready"]', { timeout: 60_000 });
    await expect.poll(() => h.page.locator('[data-testid=runtime-select] option').count()).toBeGreaterThan(1);
    expect(await h.page.textContent('[data-testid=machine]')).toMatch(/logical cores/);
  });

  it('5. an empty Custom form is not an error; the hint by Run says what is missing', async () => {
    await h.page.click('button.scenario[data-scenario="custom"]');
    expect((await h.page.textContent('[data-error-for="cmd"]'))?.trim()).toBe('');
    expect(await h.page.isDisabled('[data-testid=run-button]')).toBe(true);
    expect(await h.page.textContent('[data-testid=form-hint]')).toMatch(/command line/i);
  });

  it('1. a failed run reads as failed: table, status, verdict with its stderr in view', async () => {
    await runCommand(`python3 -c "import sys; print('one line'); sys.stderr.write('boom: config not found\\n'); sys.exit(3)"`);
    const row = h.page.locator('tr[data-run-id]').first();
    expect(await row.getAttribute('data-verdict')).toBe('failed');
    expect(await row.locator('td.exit').textContent()).toBe('failed: exit 3');
    expect(await h.page.textContent('[data-testid=run-status]')).toMatch(/^Failed: exit 3/);
    const box = h.page.locator('[data-testid=failed-box]');
    expect(await box.isVisible()).toBe(true);
    expect(await box.locator('[data-testid=stderr-tail]').textContent()).toMatch(/boom: config not found/);
    expect(await h.page.textContent('[data-testid=verdict-text]')).toMatch(/^failed/i);
    // No story about idle cores for a program that did nothing.
    expect(await h.page.locator('[data-testid=idle-reasons]').count()).toBe(0);
    expect(await h.page.textContent('[data-testid=shown-run]')).toMatch(/failed \(exit 3\)/);
    await h.page.locator('[data-testid=verdict-panel]').screenshot({ path: join(SCREENSHOTS, 'failed-run.png') });

    await runCommand('nosuchprog --flag');
    const second = h.page.locator('tr[data-run-id]').first();
    expect(await second.locator('td.exit').textContent()).toBe('failed: exit 127');
    expect(await h.page.locator('[data-testid=stderr-tail]').textContent()).toMatch(/not found/);
  });

  it('2. phases above the window strip: hover names the phase and each window’s verdict; a legend names the colours', async () => {
    await chooseScenario(h.page, 'py-threads-cpu', { tasks: 2, workMs: 800 });
    await runToEnd(h.page);
    const charts = h.page.locator('[data-testid=run-charts]');
    expect(await charts.getAttribute('data-phases')).toMatch(/\S/);
    const lanes = h.page.locator('[data-testid=thread-lanes]');
    await lanes.scrollIntoViewIfNeeded();
    const box = (await lanes.boundingBox())!;
    const x = box.x + 170 + (box.width - 184) * 0.6;
    await h.page.mouse.move(x, box.y + 8);
    const tip = h.page.locator('.lanes-box .lanes-tooltip');
    await expect.poll(() => tip.textContent()).toMatch(/^Phase \d+\.\d+–\d+\.\d+ s \(\d+\.\d+ s\): \S/);
    const windows = await h.page.evaluate(() => document.querySelector('[data-testid=verdict-panel] dl.evidence')?.textContent ?? '');
    expect(windows, 'the run has per-window verdicts').toMatch(/Windows\d+×/);
    await h.page.mouse.move(x, box.y + 29);
    await expect.poll(() => tip.textContent()).toMatch(/^Window \d+\.\d+–\d+\.\d+ s: (serial|interleaved|parallel|waiting|event loop blocked|contended)/);
    const legend = await h.page.locator('[data-testid=kind-legend] .kind-item').allTextContents();
    expect(legend).toEqual(expect.arrayContaining(['start-up', 'parallel', 'waiting', 'serial (one thread)', 'interleaved (took turns)']));
    // The verdict panel lists the same phases, and the serial fraction from this one run.
    expect(await h.page.locator('[data-testid=phase-list] li').count()).toBeGreaterThan(0);
    expect(await h.page.textContent('[data-testid=serial-fraction]')).toMatch(/Serial fraction \(this run\): \d+% .*(ceiling|no ceiling)/);
    await h.page.mouse.move(x, box.y + 8);
    await h.page.locator('.lanes-box').screenshot({ path: join(SCREENSHOTS, 'phase-strip.png') });
    await h.page.locator('[data-testid=verdict-panel]').screenshot({ path: join(SCREENSHOTS, 'verdict-phases.png') });
  });

  it('10. the per-core and cores-busy charts answer the pointer with values', async () => {
    const core = (await h.page.locator('[data-testid=core-chart]').boundingBox())!;
    await h.page.mouse.move(core.x + 170 + (core.width - 184) * 0.3, core.y + 30);
    await expect.poll(() => h.page.textContent('[data-testid=core-tooltip]')).toMatch(/^cpu\d+ at \d+\.\d+ s: \d+% busy \(user/);
    const busy = (await h.page.locator('[data-testid=busy-chart]').boundingBox())!;
    await h.page.mouse.move(busy.x + 170 + (busy.width - 184) * 0.3, busy.y + busy.height / 2);
    await expect.poll(() => h.page.textContent('[data-testid=busy-tooltip]')).toMatch(/whole machine \d+\.\d+ of \d+ cores busy; the workload/);
    // One "Samples CSV" button, not two with the same output.
    expect(await h.page.locator('[data-testid=export-csv]').count()).toBe(1);
    expect(await h.page.locator('[data-testid=session-export-csv]').count()).toBe(0);
  });

  it('5. picking another scenario keeps the last run on screen and says it is not the form’s', async () => {
    await h.page.click('button.scenario[data-scenario="py-mp-cpu"]');
    const shown = h.page.locator('[data-testid=shown-run]');
    expect(await shown.textContent()).toMatch(/Showing: .*Python threads/i);
    expect(await h.page.locator('[data-testid=shown-run-other]').textContent()).toMatch(/not of .* press Run/);
    await h.page.locator('[data-testid=scenario-panel]').screenshot({ path: join(SCREENSHOTS, 'form-and-shown-run.png') });
    await h.page.locator('main').evaluate((m) => m.scrollTo(0, 0));
  });

  it('6. keyboard: a skip link reaches the form; Enter in a field runs; an error in Advanced is shown', async () => {
    // A fresh page, as a keyboard user meets it: one Tab to the skip link, Enter puts the keyboard in the form.
    const fresh = await h.page.context().newPage();
    try {
      await fresh.goto(h.server.url);
      await fresh.waitForSelector('body[data-ready="true"]');
      await fresh.keyboard.press('Tab');
      expect(await fresh.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('skip-to-form');
      await fresh.keyboard.press('Enter');
      expect(await fresh.evaluate(() => document.activeElement?.closest('[data-testid=param-form]') !== null)).toBe(true);
    } finally {
      await fresh.close();
    }
    await h.page.click('button.scenario[data-scenario="py-threads-cpu"]');
    // Picking a scenario puts the keyboard in its form.
    expect(await h.page.evaluate(() => document.activeElement?.closest('[data-testid=param-form]') !== null)).toBe(true);

    // Rate 500 typed, then "Advanced" folded: Run is disabled and the reason is still in sight.
    await h.page.click('details.advanced > summary');
    await h.page.fill('[data-testid=param-form] [name="rateHz"]', '500');
    expect(await h.page.textContent('[data-error-for="rateHz"]')).toMatch(/between/);
    await h.page.click('details.advanced > summary');
    expect(await h.page.locator('details.advanced').evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect(await h.page.isDisabled('[data-testid=run-button]')).toBe(true);
    expect(await h.page.textContent('[data-testid=advanced-error]')).toMatch(/Sampling rate must be between/);
    expect(await h.page.textContent('[data-testid=form-hint]')).toMatch(/Sampling rate must be between/);
    await h.page.locator('[data-testid=scenario-panel]').screenshot({ path: join(SCREENSHOTS, 'advanced-error-folded.png') });
    await h.page.click('details.advanced > summary');
    await h.page.fill('[data-testid=param-form] [name="rateHz"]', '50');

    await h.page.fill('[data-testid=param-form] [name="tasks"]', '1');
    await h.page.fill('[data-testid=param-form] [name="workMs"]', '300');
    const before = await h.page.locator('tr[data-run-id]').count();
    await h.page.press('[data-testid=param-form] [name="workMs"]', 'Enter');
    await h.page.waitForFunction((n) => document.querySelectorAll('tr[data-run-id]').length > n, before, { timeout: 45_000, polling: 250 });
    expect(await h.page.textContent('[data-testid=shown-run]')).toMatch(/Showing: .*×1/);
  });

  it('9. quiet wrapper and helper processes are folded, with a button to show them; no keeper.py lane', async () => {
    // A wrapper shell (as pyenv's shim is) with idle helpers around the one process that works.
    await runCommand(`sleep 2 & sleep 2 & python3 -c "import time; t=time.time()
while time.time()-t < 1.2: pass"; wait`);
    const lanes = h.page.locator('[data-testid=thread-lanes]');
    await expect.poll(async () => Number(await lanes.getAttribute('data-folded'))).toBeGreaterThanOrEqual(2);
    const button = h.page.locator('[data-testid=show-all-processes]');
    expect(await button.textContent()).toMatch(/Show all processes \(\+\d+\)/);
    const shown = (await lanes.getAttribute('data-processes'))!;
    expect(shown).toMatch(/python3/);
    expect(shown).not.toMatch(/keeper\.py/);
    const heightFolded = (await lanes.boundingBox())!.height;
    await button.click();
    await expect.poll(async () => (await lanes.boundingBox())!.height).toBeGreaterThan(heightFolded);
    expect(await lanes.getAttribute('data-processes')).not.toMatch(/keeper\.py/);
    await button.click();
    await h.page.locator('.lanes-box').screenshot({ path: join(SCREENSHOTS, 'lanes-folded.png') });
  });

  it('3. the sweep headline agrees with its table: no ceiling stated that a measured speedup passed', async () => {
    // Pure-Python threads, the issue's case, kept small for this 2-core machine: 1 and 2 tasks.
    await chooseScenario(h.page, 'py-threads-cpu', { workMs: 300 });
    await h.page.fill('[data-testid=sweep-tasks]', '1,2');
    await h.page.fill('[data-testid=sweep-repeat]', '1');
    await h.page.click('[data-testid=sweep-button]');
    await expect.poll(() => h.page.textContent('[data-testid=sweep-progress]'), { timeout: 60_000 }).toMatch(/Sweep done: 2 runs/);
    const view = h.page.locator('[data-testid=sweep-view]');
    await view.waitFor({ state: 'visible', timeout: 5_000 });
    const headline = (await view.locator('[data-testid=sweep-amdahl]').textContent())!;
    const table = await view.locator('[data-testid=sweep-table] tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({ tasks: Number(r.getAttribute('data-tasks')), speedup: r.querySelector('td.speedup')!.textContent! })),
    );
    console.log(`sweep headline: ${headline}\ntable: ${table.map((r) => `${r.tasks} tasks ${r.speedup}`).join(', ')}`);
    expect(table.map((r) => r.tasks)).toEqual([1, 2]);
    expect(headlineDisagrees(headline, table), headline).toBeNull();
    await view.screenshot({ path: join(SCREENSHOTS, 'sweep-headline.png') });
  });

  it('7. two sessions with the same runs match: none "not recorded", no empty rows, nothing past the right edge', async () => {
    // This page's session, and the same runs recorded on "another machine" in another order.
    const a = JSON.parse((await h.engine.exportSession('session-json')).data as string);
    expect(a.runs.length, 'the runs of the tests above').toBeGreaterThan(3);
    const b = structuredClone(a);
    b.runs.reverse();
    Object.assign(b.hardware.cpu, { brand: 'Threadripper 9999 with a long marketing name that must wrap', logicalCores: 16, physicalCores: 8 });
    b.hardware.hostname = 'workstation';
    const files = [join(dir, 'laptop.session.json'), join(dir, 'workstation-in-another-order.session.json')];
    writeFileSync(files[0], JSON.stringify(a));
    writeFileSync(files[1], JSON.stringify(b));
    await h.page.setInputFiles('[data-testid=session-open-input]', files);
    const view = h.page.locator('[data-testid=machines-view]');
    await view.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await view.getAttribute('data-machines')).toBe('2');
    const rows = await view.locator('[data-testid=scenario-table] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ key: tr.getAttribute('data-scenario-row'), runs: tr.querySelectorAll('td.run-cell').length, missing: tr.querySelectorAll('td.missing').length, flags: tr.querySelector('ul.row-flags')?.textContent ?? '' })),
    );
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) {
      expect(row.runs, `row ${row.key}`).toBe(2);
      expect(row.missing, `row ${row.key}`).toBe(0);
      expect(row.flags, `row ${row.key}`).not.toMatch(/different parameters|not recorded/);
    }
    expect(await view.textContent()).not.toMatch(/not recorded/);
    await view.scrollIntoViewIfNeeded();
    const o = await noOverflow();
    expect(o.scroll, `page ${o.scroll} px wide in a ${o.client} px window`).toBeLessThanOrEqual(o.client);
    const inside = await view.evaluate((v) => ({ scroll: v.scrollWidth, client: v.clientWidth }));
    expect(inside.scroll, `machines view ${inside.scroll} px wide in ${inside.client} px`).toBeLessThanOrEqual(inside.client);
    // Nor does any cell's text run over its neighbour (a long command line as a row's name).
    const spilled = await view.locator('table th, table td').evaluateAll((cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent!.slice(0, 60)));
    expect(spilled).toEqual([]);
    await view.screenshot({ path: join(SCREENSHOTS, 'sessions-same-runs.png') });
    await view.getByRole('button', { name: 'Close all' }).click();
    await expect.poll(() => view.isHidden()).toBe(true);
  });

  it('8. no horizontal overflow at 1400×1000 nor 900×700; the results keep Verdict and Exit in view', async () => {
    for (const [width, height] of [
      [1400, 1000],
      [900, 700],
    ]) {
      await h.page.setViewportSize({ width, height });
      await h.page.waitForTimeout(300);
      const o = await noOverflow();
      expect(o.scroll, `page ${o.scroll} px wide in a ${o.client} px window`).toBeLessThanOrEqual(o.client);
      const head = h.page.locator('[data-testid=results] th');
      for (const name of ['Verdict', 'Exit']) {
        const cell = head.filter({ hasText: new RegExp(`^${name}$`) });
        const b = (await cell.boundingBox())!;
        expect(b.x + b.width, `${name} column at ${width}×${height}`).toBeLessThanOrEqual(width);
      }
    }
    await h.page.locator('[data-testid=results]').scrollIntoViewIfNeeded();
    await h.page.screenshot({ path: join(SCREENSHOTS, 'small-window-900x700.png') });
    await h.page.setViewportSize({ width: 1400, height: 1000 });
  });

  it('logged no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});

/**
 * What a reader would catch comparing the sweep's headline with its table (speedups as shown,
 * "1.05×"): a ceiling stated as holding that a shown speedup passed (beyond the 5 % the sentence
 * allows and the ceiling's rounding to 1 decimal), or points named as beyond it that the table
 * does not show so. Null when they agree (test/unit/sweep.test.ts reads the sentence the same way).
 */
function headlineDisagrees(text: string, table: { tasks: number; speedup: string }[]): string | null {
  if (/never pass|can never/i.test(text)) return 'says "never"';
  const shown = table.filter((r) => /×$/.test(r.speedup)).map((r) => ({ tasks: r.tasks, speedup: Number(r.speedup.replace('×', '')) }));
  const holds = /the fit's ceiling is (\d+\.\d)× however many cores/.exec(text);
  const beaten = /the fit's ceiling would be (\d+\.\d)×, but this sweep measured (.*), beyond it/.exec(text);
  const ceiling = Number((holds ?? beaten)?.[1] ?? Infinity);
  const over = shown.filter((p) => p.speedup > (ceiling + 0.05) * 1.05 + 0.005);
  if (holds && over.length) return `ceiling ${ceiling}× stated, the table shows ${over.map((p) => `${p.speedup}× at ${p.tasks} tasks`).join(', ')}`;
  if (beaten) {
    const named = [...beaten[2].matchAll(/(\d+\.\d\d)× at (\d+) tasks/g)].map((m) => ({ tasks: Number(m[2]), speedup: Number(m[1]) }));
    for (const x of named) if (!shown.some((p) => p.tasks === x.tasks && p.speedup === x.speedup)) return `names ${x.speedup}× at ${x.tasks} tasks, the table does not`;
    for (const p of over) if (!named.some((x) => x.tasks === p.tasks)) return `${p.speedup}× at ${p.tasks} tasks is beyond ${ceiling}× but not named`;
  }
  return null;
}
