// The CLI against a hostile workload, a hostile file and a hostile ending (issue 13), through the
// built bundle as a user runs it: a port already taken, a workload that names its thread and its
// metric with terminal escape sequences, a gzip bomb, SIGHUP mid-run, a workload that leaves
// zombies behind, and messages that must name the option the user typed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/waitFor';
import { MAX_SESSION_JSON_BYTES } from '../../src/engine/session/sessionFile';
import { pidsWithMarker } from './survivors';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corescope.mjs');
let dir = '';

beforeAll(() => {
  if (!existsSync(join(ROOT, 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `npm run build` (npm test does this first)');
  dir = mkdtempSync(join(tmpdir(), 'corescope-clihard-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** One line on stderr, naming what the user typed. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return lines[0];
}

describe('serve --port that is taken', () => {
  it('exits 2 with one line naming --port and the port, not a raw Node error', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const { port } = blocker.address() as AddressInfo;
    try {
      const r = cli(['serve', '--port', String(port)], 30_000);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`^corescope: --port ${port} is already in use`));
      expect(r.stderr).not.toMatch(/EADDRINUSE|at .*\.js:\d+/);
    } finally {
      blocker.close();
    }
  });
});

describe('terminal injection from a workload', () => {
  // What the workload sends, each byte of it a terminal control: a red background, a window
  // title, an erased line and a carriage return that overwrites the line with a fake verdict.
  const THREAD = '\x1b[41mEVIL\x1b[0m';
  const METRIC = 'm\x1b]0;pwned\x07\x1b[2K\r fake verdict: PARALLEL';
  const STDERR = '\x1b]0;owned\x07\r\x1b[2Kfake verdict: PARALLEL \x9b31m';
  // Anything a terminal acts on, but the newlines that separate our own lines.
  // eslint-disable-next-line no-control-regex -- the test is about control characters
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  function script(): string {
    const path = join(dir, 'evil.py');
    writeFileSync(
      path,
      [
        'import ctypes, json, os, sys, threading, time',
        'libc = ctypes.CDLL(None)',
        'def spin():',
        `    libc.prctl(15, ${JSON.stringify(THREAD)}.encode(), 0, 0, 0)  # PR_SET_NAME: the kernel's thread name`,
        '    end = time.time() + 0.8',
        '    while time.time() < end: pass',
        't = threading.Thread(target=spin); t.start(); t.join()',
        'fd = int(os.environ["CORESCOPE_EVENT_FD"])',
        `os.write(fd, (json.dumps({"ev": "metric", "name": ${JSON.stringify(METRIC)}, "value": 42}) + "\\n").encode())`,
        `sys.stderr.write(${JSON.stringify(STDERR)} + "\\n")`,
        'sys.exit(3)',
      ].join('\n'),
    );
    return path;
  }

  it('thread name, metric name and stderr tail reach the terminal escaped, readable, and the data intact', () => {
    const path = script();
    const r = cli(['run', '--cmd', `python3 ${path}`, '--rate', '50']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stderr).not.toMatch(CONTROL);
    // Shown, as visible escapes, so the user sees what the workload tried.
    expect(r.stdout).toContain('\\x1b[41mEVIL\\x1b[0m');
    expect(r.stdout).toContain('m\\x1b]0;pwned\\x07\\x1b[2K\\x0d fake verdict: PARALLEL');
    expect(r.stderr).toContain('\\x1b]0;owned\\x07\\x0d\\x1b[2Kfake verdict: PARALLEL \\x9b31m');
    // The command line is the user's, shown as typed.
    expect(r.stdout).toContain(`command python3 ${path}`);

    // --json: no raw control either, and the values decode to exactly what the workload sent.
    const j = cli(['run', '--cmd', `python3 ${path}`, '--rate', '50', '--json']);
    expect(j.stdout).not.toMatch(CONTROL);
    const result = JSON.parse(j.stdout) as { threads: { name: string }[]; metrics: Record<string, number> };
    expect(result.threads.map((t) => t.name)).toContain(THREAD);
    expect(result.metrics[METRIC]).toBe(42);
  });
});

describe('a gzip bomb given to export', () => {
  it('a 2 MB file inflating to 2 GiB is refused fast, in bounded memory, naming the cap; exit 2', async () => {
    // One gzip member of 1 MiB of spaces, 2048 times over: gzip allows members back to back.
    const member = gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
    const bomb = join(dir, 'bomb.session.json.gz');
    writeFileSync(bomb, Buffer.concat(Array.from({ length: 2048 }, () => member)));
    expect(readFileSync(bomb).length).toBeLessThan(3 * 1024 * 1024);

    // The CLI's own start-up, measured the same way, is not the refusal's time.
    const baseline = cli(['--help']);
    const child = spawn(process.execPath, [BIN, 'export', bomb, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const t0 = performance.now();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Peak RSS of the CLI (VmHWM), read until it exits.
    let peakKiB = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // exited
      }
    }, 10);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const ms = performance.now() - t0;
    clearInterval(poll);
    expect(code).toBe(2);
    const line = oneLine(stderr);
    expect(line).toContain(bomb);
    expect(line).toContain(`more than ${MAX_SESSION_JSON_BYTES / 1024 / 1024} MiB (${MAX_SESSION_JSON_BYTES} bytes), the limit`);
    expect(ms - baseline.ms, `refusal took ${ms.toFixed(0)} ms, start-up alone ${baseline.ms.toFixed(0)} ms`).toBeLessThan(2000);
    // Nothing of the inflated text is held: well under the 500 MiB cap (the old code held all of it).
    expect(peakKiB / 1024, `peak RSS ${(peakKiB / 1024).toFixed(0)} MiB`).toBeLessThan(250);
  });
});

describe('SIGHUP to the CLI mid-run (the terminal closed)', () => {
  it('like SIGTERM: the tree is ended, what was recorded is printed and saved, exit 129', async () => {
    const marker = `cs-sighup-${process.pid}`;
    const out = join(dir, 'hup.json');
    const child = spawn(process.execPath, [BIN, 'run', '--cmd', `python3 -c 'import time; time.sleep(64)' ${marker}`, '--json', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const cliPid = [child.pid!];
    expect(await waitFor(() => pidsWithMarker(marker, cliPid).length > 0, 10_000)).toBe(true);
    // Let it record a little first.
    await new Promise((r) => setTimeout(r, 500));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGHUP');
    const code = await exited;
    expect(await waitFor(() => pidsWithMarker(marker, cliPid).length === 0, 5_000), `survivors: ${pidsWithMarker(marker, cliPid)}`).toBe(true);
    expect(code).toBe(129);
    const printed = JSON.parse(stdout) as { runId: string; exit: { reason: string }; wallMs: number };
    expect(printed.exit.reason).toBe('profiler-exit');
    expect(printed.wallMs).toBeGreaterThan(0);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as { result: { runId: string }; samples: { t: number[] } };
    expect(saved.result.runId).toBe(printed.runId);
    expect(saved.samples.t.length).toBeGreaterThan(0);
  });
});

describe('zombies a workload leaves behind', () => {
  it('are not reported as processes still running when it ended; a real leftover still is', () => {
    // 20 children that exit at once and are never waited for: zombies when the parent exits,
    // handed to the keeper then. They ran and finished; nothing of them was still running.
    const zombies = join(dir, 'zombies.py');
    writeFileSync(zombies, ['import os, time', 'for _ in range(20):', '    if os.fork() == 0:', '        os._exit(0)', 'time.sleep(0.3)'].join('\n'));
    const still = /still running when it ended/;
    // `exec`: python is the workload's own process, so the kernel hands its zombies to the keeper
    // in the same step as it reports python's exit (with a shell between, the keeper may reap them
    // earlier, by chance).
    const z = cli(['run', '--cmd', `exec python3 ${zombies}`, '--json']);
    expect(z.code, z.stderr).toBe(0);
    const zr = JSON.parse(z.stdout) as { warnings: string[] };
    expect(zr.warnings.filter((w) => still.test(w))).toEqual([]);
    // Control: a process that really was still running is still reported.
    const leftover = cli(['run', '--cmd', 'sleep 30 & exit 0', '--json']);
    expect(leftover.code, leftover.stderr).toBe(0);
    expect((JSON.parse(leftover.stdout) as { warnings: string[] }).warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^1 process\(es\) of the workload were still running when it ended/)]));
  });
});

describe('messages name what the user typed', () => {
  const cases: { args: string[]; line: RegExp }[] = [
    { args: ['run', '--cmd', 'true', '--rate', '500'], line: /^corescope: --rate must be a number from 1 to 100 samples per second \(got 500\)$/ },
    { args: ['run', '--cmd', 'true', '--rate', '0.5'], line: /^corescope: --rate must be a number from 1 to 100 / },
    { args: ['run', '--cmd', 'true', '--timeout', '0'], line: /^corescope: --timeout must be a number of seconds from 0.1 to 86400 \(got 0\)$/ },
    { args: ['sweep', 'py-mp-cpu', '--tasks', '1,2', '--rate', '1000'], line: /^corescope: --rate must be a number from 1 to 100 / },
    { args: ['compare', 'py-threads-cpu', 'py-mp-cpu', '--timeout', '1e9'], line: /^corescope: --timeout must be a number of seconds from 0.1 to 86400 / },
    { args: ['run', 'py-threads-cpu', '--work-ms', '5'], line: /^corescope: --work-ms must be an integer from 10 to 60000 ms \(got "5"\)$/ },
    { args: ['run', 'py-threads-cpu', '--tasks', '0', '--switch-interval-ms', '-1'], line: /^corescope: --tasks must be an integer from 1 to 64 \(got "0"\); --switch-interval-ms must be / },
    { args: ['run', 'py-threads-cpu', '--work-time', '5'], line: /^corescope: unknown option --work-time for py-threads-cpu \(allowed: --tasks, --work-ms, --switch-interval-ms\)$/ },
    { args: ['run', '--cmd', 'true', '--cwd', join(tmpdir(), 'no-such-corescope-dir')], line: /^corescope: --cwd: ".*no-such-corescope-dir" is not an existing directory/ },
  ];
  for (const { args, line } of cases) {
    it(`${args.join(' ')}: exit 2, one line`, () => {
      const r = cli(args);
      expect(r.code, r.stderr).toBe(2);
      const only = r.stderr.trimEnd().split('\n').filter((l) => !/^run \d+\/\d+:/.test(l));
      expect(only, r.stderr).toHaveLength(1);
      expect(only[0]).toMatch(line);
      expect(r.stderr).not.toMatch(/rateHz|timeoutS|workMs|switchIntervalMs/);
    });
  }
});
