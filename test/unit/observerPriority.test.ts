// The UI browser starts as a low-priority observer: its own nice and its session's autogroup
// (which is what Linux weighs against the workload's session) are both lowered.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OBSERVER_NICE, asObserver, observerLauncherScript } from '../../src/cli/serve/observerPriority';

const niceOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);

describe('observer priority', () => {
  it('quotes the executable for the shell, whatever its name', () => {
    expect(observerLauncherScript("/opt/it's here/chrome")).toContain(`exec nice -n ${OBSERVER_NICE} '/opt/it'\\''s here/chrome' "$@"`);
  });

  it.runIf(process.platform === 'linux')('a process started this way runs at the observer nice, in an autogroup lowered to it', async () => {
    const launch = asObserver('/bin/sleep', ['5']);
    const child = spawn(launch.command, launch.args, { stdio: 'ignore', detached: true });
    try {
      // Wait until the shell has exec'd sleep (its command line changes).
      await expect.poll(() => readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')[0], { timeout: 5000 }).toBe('/bin/sleep');
      expect(niceOf(child.pid!)).toBe(OBSERVER_NICE);
      expect(readFileSync(`/proc/${child.pid}/autogroup`, 'utf8')).toMatch(new RegExp(` nice ${OBSERVER_NICE}\\s*$`));
      // Our own session is untouched.
      expect(readFileSync('/proc/self/autogroup', 'utf8')).not.toBe(readFileSync(`/proc/${child.pid}/autogroup`, 'utf8'));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
