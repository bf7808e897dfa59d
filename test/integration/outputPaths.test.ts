// Output files through the built CLI, as a user gives them: every kind of path made for real in a
// temp folder (a regular file, new or existing 0644/0640/0444, a symlink to a file, a dangling one,
// a folder, a FIFO, a unix socket, a character device made with mknod — never the real /dev —
// /proc and /sys). A refused path exits 2 with one line naming the flag and the path BEFORE
// anything runs (the command would leave a marker file if it ran); an accepted one is written
// with its mode kept and a symlink's target replaced. And an interrupted command never replaces
// a file with less: a Ctrl-C'd sweep or run leaves an existing file byte for byte.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRefusedPathKinds } from '../helpers/pathKinds';
import { loadSession } from '../../src/engine/session/sessionFile';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corescope.mjs');
const dir = mkdtempSync(join(tmpdir(), 'cs-outpaths-'));
const at = (name: string): string => join(dir, name);
const MARKER = at('the-run-ran');
let kinds: { close(): Promise<void> };

function cli(args: string[], timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2, one line naming the flag and the path, and the run never started. */
function expectRefusedBeforeRun(r: { code: number | null; stderr: string }, flag: string, path: string, why: RegExp): void {
  const ran = existsSync(MARKER);
  rmSync(MARKER, { force: true });
  expect(ran, 'the run started before the output path was refused').toBe(false);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0].startsWith(`corescope: ${flag}: `), lines[0]).toBe(true);
  if (path) expect(lines[0]).toContain(JSON.stringify(path));
  expect(lines[0]).toMatch(why);
  expect(r.stderr).not.toMatch(/run 1\//);
}

const markerRun = (out: string): string[] => ['run', '--cmd', `touch ${MARKER}`, '--out', out];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `node scripts/build-cli.mjs` (npm test does this first)');
  kinds = await makeRefusedPathKinds(dir, 'keep me');
  symlinkSync(at('null'), at('link-to-device.json'));
});
afterAll(async () => {
  await kinds.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('--out path kinds (run --cmd)', () => {
  const refused: [string, RegExp][] = [
    ['ro.json', /is read-only \(mode 0444\)/],
    ['folder', /is a folder; give a file name/],
    ['fifo', /is a FIFO \(named pipe\); give a regular file/],
    ['sock', /is a socket; give a regular file/],
    ['null', /is a character device; give a regular file/],
    ['link-to-device.json', /\(a link to ".*null"\) is a character device/],
    ['/proc/version', /is in \/proc, a kernel file system/],
    ['/sys/kernel/corescope-test.json', /is in \/sys, a kernel file system/],
    ['/nonexistent-cs/x.json', /the folder "\/nonexistent-cs" does not exist/],
  ];
  for (const [path, why] of refused) {
    it(`refuses ${path} with exit 2 before the run`, () => {
      // A missing folder is named as the folder.
      expectRefusedBeforeRun(cli(markerRun(path)), '--out', path.startsWith('/nonexistent') ? '' : path, why);
    });
  }

  it('leaves every refused path as it was', () => {
    expect(readFileSync(at('ro.json'), 'utf8')).toBe('keep me');
    expect(statSync(at('ro.json')).mode & 0o777).toBe(0o444);
    expect(statSync(at('fifo')).isFIFO()).toBe(true);
    expect(statSync(at('sock')).isSocket()).toBe(true);
    expect(statSync(at('null')).isCharacterDevice()).toBe(true);
    expect(lstatSync(at('link-to-device.json')).isSymbolicLink()).toBe(true);
  });

  it('writes a new file, and replaces an existing one keeping its mode', () => {
    for (const [name, mode] of [['new.json', null], ['rw-644.json', 0o644], ['rw-640.json', 0o640], ['rw-600.session.json', 0o600]] as const) {
      const p = at(name);
      if (mode !== null) {
        writeFileSync(p, 'old');
        chmodSync(p, mode);
      }
      const r = cli(['run', '--cmd', 'true', '--out', p]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(p, 'utf8')).toMatch(/^\{/);
      if (mode !== null) expect(statSync(p).mode & 0o777, name).toBe(mode);
    }
  });

  it('follows a symlink: the target is replaced, the link stays a link; a dangling link creates its target', () => {
    mkdirSync(at('elsewhere'));
    writeFileSync(at('elsewhere/target.json'), 'stale');
    chmodSync(at('elsewhere/target.json'), 0o640);
    symlinkSync(at('elsewhere/target.json'), at('link.json'));
    expect(cli(['run', '--cmd', 'true', '--out', 'link.json']).code).toBe(0);
    expect(lstatSync(at('link.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(at('elsewhere/target.json'), 'utf8')).result.exit.code).toBe(0);
    expect(statSync(at('elsewhere/target.json')).mode & 0o777).toBe(0o640);
    symlinkSync('elsewhere/later.json', at('dangling.json'));
    expect(cli(['run', '--cmd', 'true', '--out', 'dangling.json']).code).toBe(0);
    expect(lstatSync(at('dangling.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(at('elsewhere/later.json'), 'utf8')).result.exit.code).toBe(0);
    // No temp file left in either folder.
    expect([...readdirSync(dir), ...readdirSync(at('elsewhere'))].filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it("cleans a killed save's leftover temp file of that target on the next save", () => {
    const dead = Number(String(spawnSync('sh', ['-c', 'echo $$']).stdout).trim());
    const leftover = `.kept.json.${dead}.deadbeef.tmp`;
    const someoneElses = `.other.json.${dead}.deadbeef.tmp`;
    writeFileSync(at(leftover), 'half');
    writeFileSync(at(someoneElses), 'half');
    expect(cli(['run', '--cmd', 'true', '--out', 'kept.json']).code).toBe(0);
    expect(existsSync(at(leftover))).toBe(false);
    expect(existsSync(at(someoneElses))).toBe(true);
  });
});

describe('every command that writes checks its output before any work', () => {
  it('sweep and suite refuse a missing folder or a kernel file before the first run', () => {
    expectRefusedBeforeRun(cli(['sweep', 'py-threads-sleep', '--tasks', '1', '--sleep-ms', '10', '--out', '/nonexistent-cs/x.session.json']), '--out', '', /the folder "\/nonexistent-cs" does not exist/);
    expectRefusedBeforeRun(cli(['sweep', 'py-threads-sleep', '--tasks', '1', '--sleep-ms', '10', '--out', '/proc/version']), '--out', '/proc/version', /kernel file system/);
    expectRefusedBeforeRun(cli(['sweep', 'py-threads-sleep', '--tasks', '1', '--sleep-ms', '10', '--out', 'fifo']), '--out', 'fifo', /FIFO/);
    expectRefusedBeforeRun(cli(['suite', '--out', '/nonexistent-cs/dir/s.gz']), '--out', '', /the folder "\/nonexistent-cs\/dir" does not exist/);
    expectRefusedBeforeRun(cli(['suite', '--out', 'null']), '--out', 'null', /character device/);
  });

  it('export --out and compare --html: a missing folder, a device, or the input itself (any spelling, a link) is refused with exit 2', () => {
    const session = at('in.session.json');
    expect(cli(['run', '--cmd', 'true', '--out', session]).code).toBe(0);
    const before = readFileSync(session);
    symlinkSync('in.session.json', at('in-link.json'));
    expectRefusedBeforeRun(cli(['export', session, '--format', 'html', '--out', '/nonexistent-cs/x.html']), '--out', '', /the folder "\/nonexistent-cs" does not exist/);
    expectRefusedBeforeRun(cli(['export', session, '--format', 'html', '--out', 'null']), '--out', 'null', /character device/);
    for (const spelling of [session, './in.session.json', join(dir, 'folder', '..', 'in.session.json'), 'in-link.json']) {
      expectRefusedBeforeRun(cli(['export', session, '--format', 'html', '--out', spelling]), '--out', spelling, /is the input file/);
      expectRefusedBeforeRun(cli(['export', session, '--format', 'json', '--out', spelling]), '--out', spelling, /is the input file/);
    }
    const other = at('other.session.json');
    writeFileSync(other, before);
    expectRefusedBeforeRun(cli(['compare', session, other, '--html', '/nonexistent-cs/x.html']), '--html', '', /the folder "\/nonexistent-cs" does not exist/);
    expectRefusedBeforeRun(cli(['compare', session, other, '--html', 'in-link.json']), '--html', 'in-link.json', /is the input file/);
    expect(readFileSync(session).equals(before)).toBe(true);
    expect(lstatSync(at('in-link.json')).isSymbolicLink()).toBe(true);
    // An ordinary export still works.
    expect(cli(['export', session, '--format', 'html', '--out', 'report.html']).code).toBe(0);
    expect(readFileSync(at('report.html'), 'utf8')).toMatch(/<html/i);
  });
});

/** Starts the CLI, waits for `ready` (on stderr, or a check), interrupts it with SIGINT; returns its exit code and stderr. */
async function interruptWhen(args: string[], ready: RegExp | (() => boolean)): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const deadline = Date.now() + 60_000;
  const isReady = (): boolean => (typeof ready === 'function' ? ready() : ready.test(stderr));
  while (!isReady() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  expect(isReady(), stderr).toBe(true);
  child.kill('SIGINT');
  return { code: await exited, stderr };
}

describe('an interrupted command never replaces a file with less', () => {
  const sweepArgs = (out: string): string[] => ['sweep', 'py-threads-sleep', '--tasks', '1,2', '--repeat', '3', '--sleep-ms', '1500', '--out', out];

  it('Ctrl-C during the first run of a sweep: nothing recorded, the existing session is byte-identical and nothing else is written', async () => {
    const keep = at('keep.session.json');
    expect(cli(['run', '--cmd', 'true', '--out', keep]).code).toBe(0);
    const before = readFileSync(keep);
    const r = await interruptWhen(sweepArgs('keep.session.json'), /run 1\/6/);
    expect(r.code).toBe(130);
    expect(readFileSync(keep).equals(before)).toBe(true);
    expect(r.stderr).toMatch(/nothing was recorded: "keep\.session\.json" is left as it was/);
    expect(readdirSync(dir).filter((n) => n.startsWith('keep.'))).toEqual(['keep.session.json']);
  });

  it('Ctrl-C after a finished run: the existing session is byte-identical, the partial recording goes beside it', async () => {
    const keep = at('keep2.session.json');
    expect(cli(['run', '--cmd', 'true', '--out', keep]).code).toBe(0);
    const before = readFileSync(keep);
    const r = await interruptWhen(sweepArgs('keep2.session.json'), /run 2\/6/);
    expect(r.code).toBe(130);
    expect(readFileSync(keep).equals(before)).toBe(true);
    const beside = readdirSync(dir).filter((n) => /^keep2\.incomplete-\d{8}-\d{6}\.session\.json$/.test(n));
    expect(beside, r.stderr).toHaveLength(1);
    const partial = await loadSession(at(beside[0]));
    expect(partial.runs).toHaveLength(1);
    expect(partial.incomplete).toMatch(/interrupted after 1 of 6 runs/);
  });

  it('Ctrl-C of a run whose --out exists: the file is byte-identical, the run is saved beside it', async () => {
    const keep = at('keep3.json');
    writeFileSync(keep, '{"an earlier": "run"}');
    const before = readFileSync(keep);
    const started = at('keep3-started');
    const r = await interruptWhen(['run', '--cmd', `touch ${started}; sleep 30`, '--out', 'keep3.json'], () => existsSync(started));
    expect(r.code).toBe(130);
    expect(readFileSync(keep).equals(before)).toBe(true);
    const beside = readdirSync(dir).filter((n) => /^keep3\.incomplete-\d{8}-\d{6}\.json$/.test(n));
    expect(beside, r.stderr).toHaveLength(1);
    expect(JSON.parse(readFileSync(at(beside[0]), 'utf8')).result.exit.reason).toBe('profiler-exit');
  });
});
