// readPythonStacks on files the real probe wrote (test/fixtures/stacks/python/, see its README)
// and on hostile ones: it never throws, keeps what is readable, and says what it skipped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readPythonStacks } from '../../src/engine/stacks/pythonStacks';
import { StackSamplesBuilder, leafFrame, type StackSamples } from '../../src/shared/stackSamples';

const FIXTURES = fileURLToPath(new URL('../fixtures/stacks/python', import.meta.url));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'corescope-pystacks-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let seq = 0;

/** The base (monotonic ns) of a fixture's first header: reading with it as t0 makes t = dt / 1000. */
function baseOf(file: string): bigint {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0];
  return BigInt((JSON.parse(first) as { base: string }).base);
}

function readDir(dir: string, t0 = 0n, maxSamples?: number): StackSamples {
  const b = new StackSamplesBuilder(100);
  readPythonStacks(dir, t0, b, maxSamples);
  return b.build();
}

function fixture(name: string): { dir: string; file: string; pid: number } {
  const dir = path.join(FIXTURES, name);
  const file = fs.readdirSync(dir).find((f) => /^py-\d+\.jsonl$/.test(f));
  if (!file) throw new Error(`no probe file in ${dir}`);
  return { dir, file: path.join(dir, file), pid: Number(/\d+/.exec(file)![0]) };
}

/** A directory holding the given files (name -> content). */
function dirWith(files: Record<string, string | Buffer>): string {
  const dir = path.join(scratch, `d${++seq}`);
  fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

const HEADER = '{"corescope":"python-stacks","v":1,"pid":7,"ppid":1,"hz":100,"base":"5000000000","python":"3.11.2","impl":"cpython"}\n';
const DEFS = '["f",0,"<module>","/w/a.py",3]\n["f",1,"count","/w/a.py",12]\n["k",0,0,1]\n["n",0,"MainThread"]\n';
const END = '{"end":900000,"ticks":90,"missed":0,"samples":3,"tasksCut":0,"probeCpuUs":1000}\n';
const T0 = 5_000_000_000n;

describe('readPythonStacks on real probe output', () => {
  it('threads: two workers in count(), their tids, CPU per sample, times in ms after t0', () => {
    const f = fixture('threads');
    const s = readDir(f.dir, baseOf(f.file));
    expect(s.sources).toEqual([{ pid: f.pid, runtime: 'python', samples: s.t.length, probeCpuMs: expect.any(Number) }]);
    const workers = s.threadName.map((n, i) => (n.startsWith('w') ? i : -1)).filter((i) => i >= 0);
    expect(workers.length).toBeGreaterThan(20);
    const inCount = workers.filter((i) => leafFrame(s, i)?.name === 'count');
    expect(inCount.length / workers.length).toBeGreaterThan(0.8);
    expect(new Set(workers.map((i) => s.tid[i])).size).toBe(2);
    expect(workers.every((i) => s.tid[i] > 0)).toBe(true);
    expect(workers.filter((i) => Number.isFinite(s.cpuMs[i])).length).toBeGreaterThan(workers.length * 0.8);
    // t is ms after the header's base: 0 < t < the program's length
    expect(s.t[0]).toBeGreaterThan(0);
    expect(s.t[s.t.length - 1]).toBeLessThan(3000);
    for (let i = 1; i < s.t.length; i++) expect(s.t[i]).toBeGreaterThanOrEqual(s.t[i - 1]);
    // frames are interned: far fewer than samples
    expect(s.frames.length).toBeLessThan(60);
  });

  it('asyncio: suspended tasks, leaf at the user\'s await line, on the loop\'s thread', () => {
    const f = fixture('asyncio');
    const s = readDir(f.dir, baseOf(f.file));
    expect(s.sources[0].note).toBeUndefined();
    const tasks = s.task.map((k, i) => (k === 1 ? i : -1)).filter((i) => i >= 0);
    expect(tasks.length).toBeGreaterThan(20);
    const leaves = new Set(tasks.map((i) => leafFrame(s, i)!.name));
    expect(leaves).toContain('sleeper');
    for (const i of tasks) {
      expect(leafFrame(s, i)!.file.endsWith('.py')).toBe(true);
      expect(leafFrame(s, i)!.file).not.toMatch(/\/asyncio\//);
      expect(Number.isNaN(s.cpuMs[i])).toBe(true);
    }
    const loopTids = new Set(tasks.map((i) => s.tid[i]));
    expect(loopTids.size).toBe(1);
    expect([...loopTids][0]).toBeGreaterThan(0);
    expect(s.threadName.some((n, i) => s.task[i] === 1 && n.startsWith('sleeper-'))).toBe(true);
  });

  it('a SIGKILLed process: readable, noted as ended abruptly', () => {
    const f = fixture('killed');
    const s = readDir(f.dir, baseOf(f.file));
    expect(s.sources).toHaveLength(1);
    expect(s.sources[0].samples).toBeGreaterThan(10);
    expect(s.sources[0].note).toMatch(/ended abruptly/);
  });

  it('the same file cut at every byte never throws, and keeps its complete lines', () => {
    const f = fixture('asyncio');
    const whole = fs.readFileSync(f.file);
    const total = readDir(f.dir, baseOf(f.file)).t.length;
    let last = 0;
    for (let cut = 0; cut <= whole.length; cut += Math.max(1, Math.floor(whole.length / 97))) {
      const dir = dirWith({ 'py-7.jsonl': whole.subarray(0, cut) });
      const s = readDir(dir, baseOf(f.file));
      expect(s.sources).toHaveLength(1);
      expect(s.t.length).toBeGreaterThanOrEqual(last);
      expect(s.t.length).toBeLessThanOrEqual(total);
      last = s.t.length;
      if (cut > 0 && whole[cut - 1] !== 10) expect(s.sources[0].note).toMatch(/cut short/);
    }
  });
});

describe('readPythonStacks on hostile input', () => {
  it('a missing directory, or one without probe files: nothing, no throw', () => {
    expect(readDir(path.join(scratch, 'nope')).sources).toEqual([]);
    const s = readDir(dirWith({ 'other.txt': 'x', 'py-abc.jsonl': HEADER, 'py-1.json': HEADER }));
    expect(s.sources).toEqual([]);
  });

  it('reads a minimal file: frames outermost first, cpu us -> ms, -1 -> NaN, tasks', () => {
    const dir = dirWith({
      'py-7.jsonl': HEADER + DEFS + '["s",1000,42,0,0,2500]\n["s",11000,42,0,0,-1]\n["n",1,"Task-3"]\n["a",11000,42,1,0]\n' + END,
    });
    const s = readDir(dir, T0);
    expect(s.sources).toEqual([{ pid: 7, runtime: 'python', samples: 3, probeCpuMs: 1 }]);
    expect(s.t).toEqual([1, 11, 11]);
    expect(s.tid).toEqual([42, 42, 42]);
    expect(s.pid).toEqual([7, 7, 7]);
    expect(s.cpuMs[0]).toBe(2.5);
    expect(s.cpuMs[1]).toBeNaN();
    expect(s.task).toEqual([0, 0, 1]);
    expect(s.threadName).toEqual(['MainThread', 'MainThread', 'Task-3']);
    expect(s.stacks[s.stack[0]].map((i) => s.frames[i].name)).toEqual(['<module>', 'count']);
    expect(leafFrame(s, 0)).toEqual({ name: 'count', file: '/w/a.py', line: 12 });
  });

  it('t0 after the base gives negative-free offsets relative to t0', () => {
    const dir = dirWith({ 'py-7.jsonl': HEADER + DEFS + '["s",5000,1,0,0,0]\n' + END });
    expect(readDir(dir, T0 + 2_000_000n).t).toEqual([3]);
  });

  it('a cut last line: the rest is read, the note says so', () => {
    const dir = dirWith({ 'py-7.jsonl': HEADER + DEFS + '["s",1000,42,0,0,2500]\n["s",2000,42,0' });
    const s = readDir(dir, T0);
    expect(s.t).toEqual([1]);
    expect(s.sources[0].note).toMatch(/last line was cut short/);
    expect(s.sources[0].note).toMatch(/ended abruptly/);
  });

  it('garbage lines are skipped and counted', () => {
    const garbage = [
      'not json', '{', '[1,2', 'null', '42', '"text"', '[]', '["zz",1]', '{"x":1}', '\u0000\u0001\u0002',
      '["f","one","n","f",1]', '["f",2,"n"]', '["n",-1,"x"]', '["k","x"]', '["s"]', '["s","1",1,0,0,0]',
    ];
    const dir = dirWith({ 'py-7.jsonl': Buffer.concat([Buffer.from(HEADER + DEFS + garbage.join('\n') + '\n'), Buffer.from([0xff, 0xfe, 10]), Buffer.from('["s",1000,1,0,0,0]\n' + END)]) });
    const s = readDir(dir, T0);
    expect(s.t).toEqual([1]);
    expect(s.sources[0].note).toBe('17 unreadable lines skipped');
  });

  it('references to undefined frames or stacks are skipped and counted', () => {
    const dir = dirWith({
      'py-7.jsonl': HEADER + DEFS + '["k",1,0,99]\n["s",1000,1,0,1,0]\n["s",1000,1,0,7,0]\n["s",1000,1,99,0,0]\n' + END,
    });
    const s = readDir(dir, T0);
    // unknown name id: the sample stays, with no name
    expect(s.t).toEqual([1]);
    expect(s.threadName).toEqual(['']);
    expect(s.sources[0].note).toBe('3 records referring to undefined frames or stacks skipped');
  });

  it('huge and odd numbers: no throw, no absurd sample', () => {
    const lines = [
      '["f",2,"deep","/w/a.py",1e300]', // line -> 0
      '["f",1e300,"x","/w/a.py",1]',
      '["k",1,0,2]',
      '["s",1e300,1,0,0,0]',
      '["s",-5,1,0,0,0]',
      '["s",1000,1e20,0,0,0]',
      '["s",1000,1,0,1152921504606846976,0]',
      '["s",1000,1,0,1,1e300]', // cpu -> NaN
      '["s",2000,1,0,0,Infinity]',
    ];
    const dir = dirWith({ 'py-7.jsonl': HEADER + DEFS + lines.join('\n') + '\n' + END });
    const s = readDir(dir, T0);
    expect(s.t).toEqual([1]);
    expect(s.cpuMs[0]).toBeNaN();
    expect(leafFrame(s, 0)).toEqual({ name: 'deep', file: '/w/a.py', line: 0 });
    expect(s.sources[0].note).toMatch(/unreadable lines skipped/);
  });

  it('a header with an unusable base, an unknown version, lines before any header', () => {
    const badBase = dirWith({ 'py-7.jsonl': HEADER.replace('"5000000000"', '"9'.padEnd(45, '9') + '"') + DEFS + '["s",1,1,0,0,0]\n' + END });
    expect(readDir(badBase, T0).t).toEqual([]);
    const v2 = dirWith({ 'py-7.jsonl': HEADER.replace('"v":1', '"v":2') + DEFS + '["s",1,1,0,0,0]\n' + END });
    const s2 = readDir(v2, T0);
    expect(s2.t).toEqual([]);
    expect(s2.sources[0].note).toMatch(/format this CoreScope does not know/);
    const early = dirWith({ 'py-7.jsonl': DEFS + '["s",1,1,0,0,0]\n' });
    const s3 = readDir(early, T0);
    expect(s3.t).toEqual([]);
    expect(s3.sources[0].note).toMatch(/not a CoreScope stack file/);
    const empty = readDir(dirWith({ 'py-7.jsonl': '' }), T0);
    expect(empty.sources).toEqual([{ pid: 7, runtime: 'python', samples: 0, note: 'not a CoreScope stack file (no header)' }]);
  });

  it('two segments (a Python exec\'d another under the same pid): ids start over, both read', () => {
    const second = HEADER.replace('5000000000', '6000000000') + '["f",0,"other","/w/b.py",5]\n["k",0,0]\n["n",0,"MainThread"]\n["s",1000,1,0,0,0]\n' + END;
    const dir = dirWith({ 'py-7.jsonl': HEADER + DEFS + '["s",1000,1,0,0,0]\n' + second });
    const s = readDir(dir, T0);
    expect(s.t).toEqual([1, 1001]);
    expect(leafFrame(s, 0)!.name).toBe('count');
    expect(leafFrame(s, 1)!.name).toBe('other');
    expect(s.sources[0].note).toBeUndefined();
  });

  it('says when the probe took well under its planned samples (its thread waits for the GIL)', () => {
    const end = (ticks: number, missed: number): string => `{"end":900000,"ticks":${ticks},"missed":${missed},"samples":${ticks}}\n`;
    const low = readDir(dirWith({ 'py-7.jsonl': HEADER + DEFS + '["s",1000,1,0,0,0]\n' + end(30, 70) }), T0);
    expect(low.sources[0].note).toBe('took 30 of its 100 planned samples: its thread queues for the GIL like any other, and behind busy threads it wins only some hand-overs');
    const fine = readDir(dirWith({ 'py-7.jsonl': HEADER + DEFS + '["s",1000,1,0,0,0]\n' + end(70, 30) }), T0);
    expect(fine.sources[0].note).toBeUndefined();
    const short = readDir(dirWith({ 'py-7.jsonl': HEADER + DEFS + '["s",1000,1,0,0,0]\n' + end(3, 10) }), T0);
    expect(short.sources[0].note).toBeUndefined(); // too few ticks to say
    const odd = readDir(dirWith({ 'py-7.jsonl': HEADER + DEFS + '["s",1000,1,0,0,0]\n' + end(-1, 1e300) }), T0);
    expect(odd.sources[0].note).toBeUndefined();
  });

  it('probe notes reach the source; an overlong line is skipped', () => {
    const long = '["f",5,"' + 'x'.repeat(2 << 20) + '","/a",1]\n';
    const dir = dirWith({ 'py-7.jsonl': HEADER + '{"note":"probe failed (sampling): ValueError: x"}\n' + long + DEFS + '["s",1000,1,0,0,0]\n' + END });
    const s = readDir(dir, T0);
    expect(s.t).toEqual([1]);
    expect(s.sources[0].note).toBe('probe failed (sampling): ValueError: x; 1 unreadable line skipped');
  });

  it('an unreadable entry (a directory named like a probe file) gets a source with a note', () => {
    const dir = dirWith({ 'py-8.jsonl': HEADER + DEFS + '["s",1000,1,0,0,0]\n' + END });
    fs.mkdirSync(path.join(dir, 'py-7.jsonl'));
    const s = readDir(dir, T0);
    expect(s.sources.map((x) => x.pid)).toEqual([7, 8]);
    expect(s.sources[0].note).toMatch(/could not be read/);
    expect(s.t).toEqual([1]);
  });

  it('the sample cap: a file cut where the run reached it, later files not read', () => {
    const samples = Array.from({ length: 10 }, (_, i) => `["s",${(i + 1) * 1000},1,0,0,0]`).join('\n') + '\n';
    const dir = dirWith({ 'py-7.jsonl': HEADER + DEFS + samples + END, 'py-8.jsonl': HEADER + DEFS + samples + END });
    const s = readDir(dir, T0, 6);
    expect(s.t).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.sources[0]).toEqual({ pid: 7, runtime: 'python', samples: 6, note: "cut at the run's cap of 6 stack samples: the rest was not read" });
    expect(s.sources[1]).toEqual({ pid: 8, runtime: 'python', samples: 0, note: 'not read: the run already has 6 stack samples' });
  });
});
