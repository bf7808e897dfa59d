// Where output files may go (checkOutputTarget), how a save treats what is there already
// (writeFileDurable: symlink followed, mode kept, checked again at write time), the clean-up of
// temp files a killed save left behind, and the name an interrupted recording is saved under.
// Every kind of path is made for real in a temp folder (tests run as root, where access() calls
// everything writable, so the checks must not rely on it). The real /dev is never touched.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRefusedPathKinds } from '../helpers/pathKinds';
import { checkOutputTarget, OutputPathError } from '../../src/engine/session/outputPath';
import { writeFileDurable } from '../../src/engine/session/sessionFile';
import { removeStaleTemps, STALE_TEMP_AGE_MS } from '../../src/engine/session/tempFiles';
import { besideName } from '../../src/cli/keepRecorded';

const dir = mkdtempSync(join(tmpdir(), 'cs-outpath-'));
const at = (name: string): string => join(dir, name);
let kinds: { close(): Promise<void> };

/** A pid that is certainly not running: a child that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(r.stdout).trim());
}

beforeAll(async () => {
  kinds = await makeRefusedPathKinds(dir, 'read-only');
  symlinkSync('null', at('link-to-device'));
  symlinkSync('loop-b', at('loop-a'));
  symlinkSync('loop-a', at('loop-b'));
});
afterAll(async () => {
  await kinds.close();
  rmSync(dir, { recursive: true, force: true });
});

const refusal = (path: string, check = {}): string => {
  try {
    checkOutputTarget(path, { option: '--out', ...check });
  } catch (err) {
    expect(err).toBeInstanceOf(OutputPathError);
    expect((err as OutputPathError).field).toBe('--out');
    return (err as Error).message;
  }
  throw new Error(`${path} was accepted`);
};

describe('checkOutputTarget', () => {
  it('refuses every kind of path that is not a regular file, naming the option, the path and the kind', () => {
    expect(refusal(at('ro.json'))).toBe(`--out: ${JSON.stringify(at('ro.json'))} is read-only (mode 0444); make it writable or give another file`);
    expect(refusal(at('folder'))).toMatch(/^--out: ".*folder" is a folder; give a file name$/);
    expect(refusal(at('fifo'))).toMatch(/^--out: ".*fifo" is a FIFO \(named pipe\); give a regular file/);
    expect(refusal(at('null'))).toMatch(/^--out: ".*null" is a character device; give a regular file/);
    expect(refusal(at('sock'))).toMatch(/^--out: ".*sock" is a socket; give a regular file/);
    expect(refusal(at('link-to-device'))).toMatch(/^--out: ".*link-to-device" \(a link to ".*null"\) is a character device/);
    expect(refusal(at('loop-a'))).toMatch(/is a loop of symbolic links$/);
    expect(refusal('/proc/version')).toMatch(/^--out: "\/proc\/version" is in \/proc, a kernel file system, not storage/);
    expect(refusal('/proc/self/new.json')).toMatch(/is in \/proc, a kernel file system/);
    expect(refusal('/sys/kernel/corescope-test.json')).toMatch(/is in \/sys, a kernel file system/);
    expect(refusal(join(dir, 'no-such-folder', 'x.json'))).toMatch(/^--out: the folder ".*no-such-folder" does not exist$/);
    expect(refusal(join(dir, 'ro.json', 'x.json'))).toMatch(/is not a folder/);
    expect(refusal('')).toMatch(/^--out: the file name is empty/);
    // Nothing was changed by looking.
    expect(statSync(at('fifo')).isFIFO()).toBe(true);
    expect(statSync(at('null')).isCharacterDevice()).toBe(true);
    expect(readFileSync(at('ro.json'), 'utf8')).toBe('read-only');
  });

  it('accepts a new file, an existing writable one, and follows a symlink (also a dangling one) to its target', () => {
    expect(checkOutputTarget(at('new.json'))).toEqual({ file: at('new.json'), existing: null });
    writeFileSync(at('rw.json'), 'x');
    expect(checkOutputTarget(at('rw.json')).existing?.isFile()).toBe(true);
    mkdirSync(at('elsewhere'), { recursive: true });
    writeFileSync(at('elsewhere/target.json'), 'old');
    symlinkSync('elsewhere/target.json', at('link.json'));
    expect(checkOutputTarget(at('link.json')).file).toBe(at('elsewhere/target.json'));
    symlinkSync('elsewhere/not-yet.json', at('dangling.json'));
    expect(checkOutputTarget(at('dangling.json'))).toEqual({ file: at('elsewhere/not-yet.json'), existing: null });
    // /dev/shm is storage (tmpfs), unlike the rest of /dev.
    if (existsSync('/dev/shm')) expect(checkOutputTarget('/dev/shm/corescope-never-written.json').existing).toBeNull();
  });

  it('refuses an input file as the output, by any spelling or link', () => {
    writeFileSync(at('in.session.json'), '{}');
    symlinkSync('in.session.json', at('in-link.json'));
    const inputs = [at('in.session.json')];
    for (const spelling of [at('in.session.json'), join(dir, '.', 'folder', '..', 'in.session.json'), at('in-link.json')]) {
      expect(refusal(spelling, { inputs })).toMatch(/is the input file ".*in\.session\.json"; give another name so the input is kept$/);
    }
    expect(checkOutputTarget(at('other.json'), { inputs }).existing).toBeNull();
  });
});

describe('writeFileDurable', () => {
  it('keeps the mode of the file it replaces', async () => {
    for (const mode of [0o644, 0o640, 0o600, 0o664]) {
      const p = at(`mode-${mode.toString(8)}.json`);
      writeFileSync(p, 'old');
      chmodSync(p, mode);
      await writeFileDurable(p, 'new');
      expect(readFileSync(p, 'utf8')).toBe('new');
      expect(statSync(p).mode & 0o7777).toBe(mode);
    }
  });

  it('replaces the target of a symlink atomically in the target folder; the link stays a link', async () => {
    symlinkSync('elsewhere/target2.json', at('link2.json'));
    writeFileSync(at('elsewhere/target2.json'), 'old');
    await writeFileDurable(at('link2.json'), 'new');
    expect(lstatSync(at('link2.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(at('elsewhere/target2.json'), 'utf8')).toBe('new');
    expect(readdirSync(at('elsewhere')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses at write time a path that became something else after the pre-check, and leaves it as it is', async () => {
    const p = at('changes.json');
    expect(checkOutputTarget(p, { option: '--out' }).existing).toBeNull();
    expect(spawnSync('mkfifo', [p]).status).toBe(0);
    await expect(writeFileDurable(p, 'data', { option: '--out' })).rejects.toThrow(/^--out: ".*changes\.json" is a FIFO/);
    expect(statSync(p).isFIFO()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('.changes.json'))).toEqual([]);
  });

  it('a path in /proc fails with one line naming the option and the path, not a raw error about a temp file', async () => {
    const p = join('/proc', 'corescope.json');
    await expect(writeFileDurable(p, 'x', { option: '--out' })).rejects.toThrow(/^--out: "\/proc\/corescope\.json" is in \/proc/);
  });
});

describe('removeStaleTemps', () => {
  it("removes only this target's temps whose writer is gone or that are a day old", async () => {
    const d = at('temps');
    mkdirSync(d);
    const dead = deadPid();
    const alive = process.ppid;
    const names = {
      deadWriter: `.s.json.${dead}.0badc0de.tmp`,
      liveWriter: `.s.json.${alive}.abcdef01.tmp`,
      liveButOld: `.s.json.${alive}.11112222.tmp`,
      ownRecent: `.s.json.${process.pid}.33334444.tmp`,
      otherTarget: `.t.json.${dead}.55556666.tmp`,
      notOurPattern: `.s.json.${dead}.tmp`,
      target: 's.json',
    };
    for (const n of Object.values(names)) writeFileSync(join(d, n), 'partial');
    const old = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    utimesSync(join(d, names.liveButOld), old, old);
    const removed = await removeStaleTemps(d, 's.json');
    expect(removed.sort()).toEqual([names.deadWriter, names.liveButOld].sort());
    expect(readdirSync(d).sort()).toEqual([names.liveWriter, names.ownRecent, names.otherTarget, names.notOurPattern, names.target].sort());
  });

  it('runs on every save: a killed save’s leftover is gone after the next save of that file', async () => {
    const d = at('temps2');
    mkdirSync(d);
    const leftover = join(d, `.r.json.${deadPid()}.deadbeef.tmp`);
    writeFileSync(leftover, 'half a session');
    await writeFileDurable(join(d, 'r.json'), 'whole');
    expect(readdirSync(d)).toEqual(['r.json']);
  });
});

describe('besideName (where an interrupted recording goes instead of over an existing file)', () => {
  const when = new Date(2025, 0, 2, 3, 4, 5);
  it('keeps the ending, so the file is still read as what it is', () => {
    expect(besideName('/x/keep.session.json', when)).toBe('/x/keep.incomplete-20250102-030405.session.json');
    expect(besideName('/x/keep.session.json.gz', when)).toBe('/x/keep.incomplete-20250102-030405.session.json.gz');
    expect(besideName('/x/run.json', when)).toBe('/x/run.incomplete-20250102-030405.json');
    expect(besideName('/x/noext', when)).toBe('/x/noext.incomplete-20250102-030405');
  });
  it('never names an existing file', () => {
    writeFileSync(at('k.incomplete-20250102-030405.json'), 'x');
    expect(besideName(at('k.json'), when)).toBe(at('k.incomplete-20250102-030405-2.json'));
  });
});
