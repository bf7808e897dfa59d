// The corescope command as a user runs it (the built bundle, `npm run build` first): output
// contract, exit codes, and that Ctrl-C, SIGTERM and even SIGKILL of the CLI end the workload.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/waitFor';
import { pidsWithMarker } from './survivors';

const BIN = join(__dirname, '..', '..', 'bin', 'corescope.mjs');

beforeAll(() => {
  if (!existsSync(join(__dirname, '..', '..', 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `npm run build` (npm test does this first)');
});

function cli(args: string[], timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('corescope CLI', () => {
  it('--help works', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: corescope/);
    expect(r.stdout).toMatch(/Exit codes/);
  });

  it('a reader that stops reading (`--help | head`, `run … | head -1`) gets no stack trace, and the command still finishes', async () => {
    /** The command with its stdout closed before it writes: every write is EPIPE. */
    const closedStdout = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const help = await closedStdout(['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    const run = await closedStdout(['run', '--cmd', 'exit 3']);
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    // It ran to its end: the workload's own exit code decides, as when the output is read.
    expect(run.code).toBe(1);
  });

  it('run --cmd --json prints the documented object', () => {
    const r = cli(['run', '--cmd', 'sleep 0.3', '--json', '--rate', '50']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const key of ['params', 'wallMs', 'cpu', 'parallelism', 'peakConcurrency', 'cores', 'threads', 'peakRssBytes', 'noisePct', 'verdict']) expect(j).toHaveProperty(key);
    expect(j.cpu).toEqual({ userMs: expect.any(Number), systemMs: expect.any(Number), totalMs: expect.any(Number) });
    expect(j.cores[0]).toMatchObject({ id: 0, busyPct: expect.any(Number) });
    expect(j.threads[0]).toMatchObject({ pid: expect.any(Number), tid: expect.any(Number), name: expect.any(String), cpuMs: expect.any(Number) });
    expect(j.peakConcurrency).toBeNull();
    expect(j.verdict).toEqual({ kind: 'waiting', text: expect.stringMatching(/waiting/i) });
    expect(j.params.rateHz).toBe(50);
  });

  it('prints a readable summary without --json', () => {
    const r = cli(['run', '--cmd', 'sleep 0.2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verdict\s+WAITING/);
    expect(r.stdout).toMatch(/parallelism\s+0\.\d\d cores busy/);
    expect(r.stdout).toMatch(/cpu0/);
  });

  it('exits 1 when the workload fails, and shows its stderr', () => {
    const r = cli(['run', '--cmd', 'echo boom >&2; exit 4']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/exit 4/);
    expect(r.stderr).toMatch(/boom/);
  });

  it('exits 2 on bad input, naming the field and the allowed range', () => {
    const rate = cli(['run', '--cmd', 'true', '--rate', '500']);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--rate must be a number from 1 to 100/);
    const nan = cli(['run', '--cmd', 'true', '--rate', 'fast']);
    expect(nan.code).toBe(2);
    expect(nan.stderr).toMatch(/--rate must be a number/);
    const none = cli(['run']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/scenario id .* or --cmd/);
    const unknown = cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    const cwd = cli(['run', '--cmd', 'true', '--cwd', '/nonexistent-corescope-dir']);
    expect(cwd.code).toBe(2);
    expect(cwd.stderr).toMatch(/cwd: "\/nonexistent-corescope-dir" is not an existing directory/);
    const env = cli(['run', '--cmd', 'true', '--env', 'NOEQUALS']);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/--env must be NAME=VALUE/);
  });

  it('--timeout ends the whole tree and exits 1', () => {
    const marker = `cs-timeout-${process.pid}`;
    const r = cli(['run', '--cmd', `sh -c 'setsid sleep 61 & sleep 62' ${marker}`, '--timeout', '0.5', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).exit.reason).toBe('timeout');
    expect(pidsWithMarker(marker)).toEqual([]);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`${signal} of the CLI ends the whole workload tree`, async () => {
      const marker = `cs-${signal}-${process.pid}`;
      // A daemon that left the process group, and a python grandchild: both must die.
      // A sleep length unique to this test process, so parallel test runs never see each other's.
      const sleepArg = `63.${process.pid}`;
      const child = spawn(process.execPath, [BIN, 'run', '--cmd', `(setsid sleep ${sleepArg} &); python3 -c 'import time; time.sleep(63)' ${marker}`, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const cliPid = [child.pid!];
      const pythonRunning = (): boolean => pidsWithMarker(marker, cliPid).some((pid) => /python/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')));
      expect(await waitFor(pythonRunning, 10_000)).toBe(true);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill(signal);
      const code = await exited;
      const gone = (): boolean => pidsWithMarker(marker, cliPid).length === 0 && pidsWithMarker(`sleep\u0000${sleepArg}`, cliPid).length === 0;
      expect(await waitFor(gone, 5_000), `survivors: ${pidsWithMarker(marker, cliPid)}`).toBe(true);
      if (signal === 'SIGKILL') return;
      expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
      // What was recorded up to the end is still reported, marked as ended early.
      expect(JSON.parse(stdout).exit.reason).toBe('profiler-exit');
    });
  }

  it('list and info work', () => {
    const list = cli(['list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).scenarios.length).toBeGreaterThan(10);
    const info = cli(['info', '--json']);
    expect(info.code).toBe(0);
    const j = JSON.parse(info.stdout);
    expect(j.hardware.cpu.logicalCores).toBeGreaterThanOrEqual(1);
    expect(j.hardware.os.kernel).toBeTruthy();
  });
});
