// The attach picker in Chromium (issue 17): the running programs listed live, the target found by
// search, picked, watched, stopped — and left running. Screenshot for the README.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, openHarness, processAlive, runThenCancel, type Harness } from './helpers';

let h: Harness;
let target: ChildProcess;

beforeAll(async () => {
  // A program the user started themselves: two Python threads sharing the GIL for a while.
  target = spawn('python3', ['-c', 'import threading,time\ndef spin():\n  end=time.time()+60\n  while time.time()<end: sum(range(1000))\nts=[threading.Thread(target=spin) for _ in range(2)]\n[t.start() for t in ts]\n[t.join() for t in ts]'], { stdio: 'ignore', detached: true });
  h = await openHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
  try {
    process.kill(-target.pid!, 'SIGKILL');
  } catch {
    // gone
  }
});

describe('attach to a running process', () => {
  it('lists running programs live, finds one by search, watches it, and stops without touching it', async () => {
    await h.page.click('button.scenario[data-scenario="attach"]');
    const row = h.page.locator(`[data-testid=attach-list] tr[data-pid="${target.pid}"]`);
    await h.page.fill('[data-testid=attach-search]', 'python');
    await row.waitFor({ timeout: 10_000 });
    // The interpreter is marked as a likely pick, and its CPU shows once a second listing exists.
    expect(await row.getAttribute('class')).toMatch(/likely/);
    await h.page.waitForFunction((pid) => !/…/.test(document.querySelector(`[data-testid=attach-list] tr[data-pid="${pid}"] td:nth-child(5)`)?.textContent ?? '…'), target.pid, { timeout: 10_000, polling: 250 });
    await h.page.fill('[data-testid=attach-search]', '');
    await h.page.locator('main').screenshot({ path: join(SCREENSHOTS, 'attach-picker.png') });
    await h.page.fill('[data-testid=attach-search]', String(target.pid));
    await row.click();
    expect(await h.page.inputValue('[data-testid=attach-pid]')).toBe(String(target.pid));
    const first = await runThenCancel(h.page, 2500);
    expect(await first.locator('td').last().textContent()).toBe('stopped watching');
    await expect.poll(() => h.page.textContent('[data-testid=verdict-text]')).toMatch(/Interleaved|interleaved/);
    expect(processAlive(target.pid!)).toBe(true);
    expect(h.pageErrors).toEqual([]);
  }, 90_000);
});
