// Other machines over SSH (issue #18), through a real OpenSSH server: Debian's sshd on a loopback
// port with keys made for the test (test/helpers/sshServer.ts), reached by the `corescope` command
// as a user types it with --on and --ssh-config. The "remote" is this machine, so what ran there
// can be checked in /proc: the same physics as a local run, the bundle sent once and reused, no
// process left there when the connection is killed, and each connection error in one line, exit
// 2, within 10 s.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type SshServer } from '../helpers/sshServer';
import { sustainedCores } from '../helpers/sustainedCores';
import { waitFor } from '../helpers/waitFor';
import { pidsWithMarker } from './survivors';
import { loadSession } from '../../src/engine';

const BIN = join(__dirname, '..', '..', 'bin', 'corescope.mjs');
const dir = mkdtempSync(join(tmpdir(), 'corescope-remote-'));
let server: SshServer;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], timeoutMs = 120_000): CliResult {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

const on = (host = server.alias): string[] => ['--on', host, '--ssh-config', server.clientConfig];
/** The bundle folders the remote keeps. */
const bundles = (): string[] => {
  const d = join(server.cacheDir, 'corescope', 'bundles');
  return existsSync(d) ? readdirSync(d) : [];
};

beforeAll(async () => {
  if (!existsSync(join(__dirname, '..', '..', 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `npm run build` (npm test does this first)');
  server = await startSshServer();
}, 30_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('--on HOST: CoreScope on another machine over ssh', () => {
  it('info: sends the bundle on the first connection, reuses it on the next, and names the machine', () => {
    expect(bundles()).toEqual([]);
    const first = cli(['info', ...on()]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/sending CoreScope to remote-a \(\d+ KiB/);
    expect(first.stdout).toMatch(/^CoreScope \d+\.\d+\.\d+ on Node/);
    expect(first.stdout).toMatch(/reached\s+over ssh as remote-a \(hostname /);
    expect(bundles()).toHaveLength(1);
    const second = cli(['info', ...on(), '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toMatch(/sending CoreScope/);
    expect(bundles()).toHaveLength(1);
    const info = JSON.parse(second.stdout);
    expect(info.hardware.cpu.logicalCores).toBeGreaterThan(0);
    expect(info.runtimes.some((r: { kind: string }) => r.kind === 'python')).toBe(true);
  }, 60_000);

  describe('the same physics as a local run', { retry: 2 }, () => {
    it('run: two Python processes are parallel (> 1.6 cores), saved locally as a session with the remote hardware', () => {
      const out = join(dir, 'mp.session.json');
      const r = cli(['run', 'py-mp-cpu', '--tasks', '2', '--work-ms', '1500', ...on(), '--json', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.exit.reason).toBe('exited');
      expect(sustainedCores(result)).toBeGreaterThan(1.6);
      // The remote samples with the JavaScript sampler (the native addon is not sent), and says so.
      expect(result.fidelity.sampler).toBe('js');
      // Which code still works there: the stack probes travel in the bundle.
      expect(JSON.stringify(result.phases)).toMatch(/spin\(\) at python\/_work\.py/);
      const session = JSON.parse(readFileSync(out, 'utf8'));
      expect(session.runs).toHaveLength(1);
      const info = JSON.parse(cli(['info', ...on(), '--json']).stdout);
      expect(session.hardware).toEqual(info.hardware);
    }, 90_000);

    it('run: two Python threads under the GIL are not parallel (< 1.3 cores)', () => {
      const r = cli(['run', 'py-threads-cpu', '--tasks', '2', '--work-ms', '600', ...on(), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.parallelism).toBeLessThan(1.3);
      expect(result.verdict.kind).not.toBe('parallel');
    }, 90_000);

    it('attach: a running two-process Python job there, parallel, and left running', async () => {
      const marker = `corescope-remote-attach-${Date.now()}`;
      const prog = join(dir, 'target.py');
      writeFileSync(prog, `import multiprocessing as mp, sys, time\ndef spin(until):\n    x = 0\n    while time.time() < until: x += 1\nif __name__ == "__main__":\n    mp.set_start_method("fork")\n    until = time.time() + 6\n    ps = [mp.Process(target=spin, args=(until,)) for _ in range(2)]\n    [p.start() for p in ps]; [p.join() for p in ps]\n`);
      const target = spawn('/usr/bin/python3', [prog, marker], { stdio: 'ignore', detached: true });
      try {
        await new Promise((r) => setTimeout(r, 500));
        const r = cli(['attach', String(target.pid), '--duration', '2', ...on(), '--json']);
        expect(r.code, r.stderr).toBe(0);
        const result = JSON.parse(r.stdout);
        expect(result.attach.endedBy).toBe('duration');
        expect(sustainedCores(result)).toBeGreaterThan(1.6);
        // Never signalled: still running after the watching ended.
        expect(target.exitCode).toBeNull();
        process.kill(target.pid!, 0);
      } finally {
        try {
          process.kill(-target.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }, 90_000);
  });

  it('bad input for a remote run is refused there and named as here: exit 2', () => {
    const r = cli(['run', 'py-mp-cpu', '--tasks', '999', ...on()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tasks/);
  }, 60_000);
});

describe('--on: losing the connection or stopping leaves nothing running there', () => {
  /** Starts a long remote run of a marked command; resolves once its workload runs there. */
  const startLongRun = async (marker: string, extra: string[] = []) => {
    // Its own process group, as a command typed at a terminal: Ctrl-C there reaches the whole group.
    const child = spawn(process.execPath, [BIN, 'run', '--cmd', `python3 -c "import time,sys; t=time.time()+60\nwhile time.time()<t: pass" ${marker}`, ...on(), ...extra], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // The command's own argv holds the marker too: what else holds it runs on the "remote".
    expect(await waitFor(() => pidsWithMarker(marker, [child.pid!]).length >= 2, 30_000), 'the remote workload never started').toBe(true);
    return { child, exited, out: () => ({ stdout, stderr }) };
  };

  it('killing the ssh connection (SIGKILL of the ssh client) ends the workload there and keeps what was recorded, marked incomplete', async () => {
    const marker = `corescope-remote-kill-${Date.now()}`;
    const out = join(dir, 'lost.session.json');
    // A file that holds a run already: what a lost connection kept must not replace it.
    writeFileSync(out, '{"a run": "recorded earlier"}');
    const run = await startLongRun(marker, ['--json', '--out', out]);
    // Two seconds of samples reach this machine before the connection goes.
    await new Promise((r) => setTimeout(r, 2000));
    const ssh = spawnSync('pgrep', ['-P', String(run.child.pid), '-x', 'ssh'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
    expect(ssh).toHaveLength(1);
    process.kill(ssh[0], 'SIGKILL');
    const code = await run.exited;
    // Nothing of the run is left on the "remote": not the workload, not the agent.
    expect(await waitFor(() => pidsWithMarker(marker).length === 0, 15_000), `left running there: ${pidsWithMarker(marker).join(', ')}`).toBe(true);
    // …and the agent that ran it there (its folder is the test server's cache) is gone too.
    expect(await waitFor(() => pidsWithMarker(server.cacheDir).length === 0, 15_000), 'the remote agent is still running').toBe(true);
    expect(code).toBe(1);
    expect(run.out().stderr).toMatch(/corescope: Incomplete: the connection to remote-a ended .*nothing is left running on remote-a.*What reached this machine until then is kept: \d+ samples/);
    // What was recorded until the connection went: on stdout, and saved beside the file that was there.
    const result = JSON.parse(run.out().stdout);
    expect(result.exit.reason).toBe('connection-lost');
    expect(result.verdict.text).toMatch(/^Not judged: the connection to remote-a was lost/);
    expect(result.cpu.userMs).toBeNull();
    expect(result.peakRssBytes).toBeNull();
    // The workload there was one busy Python thread: about one core, by its own threads too.
    expect(result.parallelism).toBeGreaterThan(0.7);
    expect(result.parallelism).toBeLessThan(1.3);
    const busiest = Math.max(...result.threads.map((t: { cpuMs: number }) => t.cpuMs));
    expect(busiest).toBeGreaterThan(0.6 * result.wallMs);
    expect(readFileSync(out, 'utf8')).toBe('{"a run": "recorded earlier"}');
    const aside = readdirSync(dir).filter((f) => f.startsWith('lost.incomplete-') && f.endsWith('.session.json'));
    expect(aside).toHaveLength(1);
    const loaded = await loadSession(join(dir, aside[0]));
    expect(loaded.incomplete).toMatch(/connection .* lost/);
    const kept = loaded.runs[0];
    expect(kept.result.exit.reason).toBe('connection-lost');
    expect(kept.samples.t.length).toBeGreaterThanOrEqual(20);
    expect(kept.samples.threads.length).toBe(kept.samples.threadCpu.length);
    expect(kept.result.fidelity.unavailable?.join(' ')).toMatch(/peak memory/);
  }, 60_000);

  it('Ctrl-C of the local command ends the workload there, and prints what was recorded', async () => {
    const marker = `corescope-remote-int-${Date.now()}`;
    const run = await startLongRun(marker);
    await new Promise((r) => setTimeout(r, 1000));
    // Ctrl-C at a terminal: SIGINT to the command's whole process group.
    process.kill(-run.child.pid!, 'SIGINT');
    const code = await run.exited;
    expect(code).toBe(130);
    expect(await waitFor(() => pidsWithMarker(marker).length === 0, 15_000), `left running there: ${pidsWithMarker(marker).join(', ')}`).toBe(true);
    expect(run.out().stdout).toMatch(/cancel/i);
  }, 60_000);
});

describe('--on: errors say what went wrong, within 10 s, exit 2', () => {
  const expectError = (host: string, message: RegExp, config?: string): void => {
    const r = cli(['info', '--on', host, '--ssh-config', config ?? server.clientConfig], 30_000);
    expect(r.code, r.stderr).toBe(2);
    // One line says what went wrong (beside the progress lines: connecting, sending the bundle).
    expect(r.stderr.trim().split('\n').filter((l) => !/^corescope: (connecting to|sending CoreScope to) /.test(l))).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.ms).toBeLessThan(10_000);
  };

  it('host unreachable (nothing listens on the port)', () => {
    server.addAlias('closed-port', { port: 1 });
    expectError('closed-port', /^corescope: --on closed-port: unreachable \(.*Connection refused/m);
  });

  it('host unreachable: a name that does not resolve', () => {
    expectError('no-such-host.invalid', /--on no-such-host\.invalid: host name not found/);
  });

  it('authentication refused (a key the server does not know)', () => {
    const key = join(dir, 'stranger_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    server.addAlias('stranger', { identityFile: key });
    expectError('stranger', /--on stranger: authentication refused .*Permission denied/);
  });

  it('host key changed: refused, never accepted silently', () => {
    const other = join(dir, 'other_host_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const fake = readFileSync(`${other}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    server.addAlias('changed', { knownHosts: `[127.0.0.1]:${server.port} ${fake}\n` });
    expectError('changed', /--on changed: its host key has CHANGED .*never accepted/);
  });

  it('host key unknown: says how to accept it', () => {
    server.addAlias('unknown-key', { knownHosts: '' });
    expectError('unknown-key', /--on unknown-key: its host key is not known here yet; connect once with `ssh unknown-key`/);
  });

  it('the bundle cannot be written there', async () => {
    // A second server whose sessions keep their cache under a file: mkdir fails.
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const ro = await startSshServer({ alias: 'read-only', cacheDir: join(blocker, 'cache') });
    try {
      expectError('read-only', /--on read-only: cannot write CoreScope's bundle to .*not-a-folder\/cache\/corescope\/bundles\/[0-9a-f]{64}/, ro.clientConfig);
    } finally {
      await ro.stop();
    }
  }, 30_000);

  it('a malformed --on never reaches ssh (no option injection)', () => {
    for (const bad of ['-oProxyCommand=touch /tmp/x', 'a b', 'host:99999', 'user@']) {
      const r = cli(['info', '--on', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/^corescope: --on: ".*" .*give \[user@\]host\[:port\]/);
    }
  });
});

describe('suite --on a,b: two machines side by side in one step', () => {
  it('runs the suite on both, saves one session per machine and their comparison', () => {
    server.addAlias('remote-b');
    const out = join(dir, 'machines');
    const r = cli(['suite', '--on', `${server.alias},remote-b`, '--ssh-config', server.clientConfig, '--out', out, '--repeat', '1', '--work-ms', '100', '--max-tasks', '2', '--stacks', 'off'], 600_000);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toMatch(/^\[remote-a\] run 1\//m);
    expect(r.stderr).toMatch(/^\[remote-b\] run 1\//m);
    for (const m of ['remote-a', 'remote-b']) {
      const session = JSON.parse(gunzipSync(readFileSync(join(out, `${m}.session.json.gz`))).toString());
      expect(session.runs.length).toBeGreaterThan(10);
      expect(session.hardware.cpu.logicalCores).toBeGreaterThan(0);
    }
    const html = readFileSync(join(out, 'comparison.html'), 'utf8');
    expect(html).toMatch(/remote-a/);
    expect(html).toMatch(/remote-b/);
    expect(r.stdout).toMatch(/The machines side by side: .*comparison\.html/);
    // Each machine's sweeps print as tables, their line breaks as line breaks.
    expect(r.stdout).toMatch(/^CoreScope sweep: py-mp-cpu .*\n {2}tasks {2}runs/m);
    expect(r.stdout).not.toContain('\\x0a');
  }, 620_000);
});
