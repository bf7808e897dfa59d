// The Python stack probe for real: small programs run by a real CPython with the environment the
// engine gives a run (PYTHONPATH=workloads/stacks, CORESCOPE_STACKS_DIR, CORESCOPE_STACKS_HZ), their
// files read back with readPythonStacks. Not CPU-physics tests: each program works ~1 s at most,
// and the thresholds only ask that the samples say what the program was doing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findWorkloadsDir } from '../../src/engine/scenarioCommand';
import { readPythonStacks } from '../../src/engine/stacks/pythonStacks';
import { StackSamplesBuilder, leafFrame, type StackFrame, type StackSamples } from '../../src/shared/stackSamples';

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const STACKS_DIR = path.join(findWorkloadsDir(), 'stacks');
const HZ = 100;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'corescope-pyprobe-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let seq = 0;

interface RunOpts {
  /** Put the probe on PYTHONPATH and set CORESCOPE_STACKS_DIR (default true). */
  probe?: boolean;
  python?: string;
  pythonArgs?: string[];
  args?: string[];
  /** PYTHONPATH entries after the probe's directory. */
  pythonPath?: string[];
  env?: Record<string, string>;
  /** SIGKILL the program this long after it printed its first line. */
  killAfterFirstLineMs?: number;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stacksDir: string;
  t0: bigint;
  stacks: StackSamples;
  files: string[];
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PYTHON') || k.startsWith('CORESCOPE_STACKS')) delete env[k];
  return env;
}

async function runPy(source: string, opts: RunOpts = {}): Promise<Run> {
  const work = path.join(scratch, `run${++seq}`);
  fs.mkdirSync(work);
  const script = path.join(work, 'prog.py');
  fs.writeFileSync(script, source);
  const stacksDir = path.join(work, 'stacks');
  fs.mkdirSync(stacksDir);
  const env: NodeJS.ProcessEnv = cleanEnv();
  const probe = opts.probe !== false;
  const pp = [...(probe ? [STACKS_DIR] : []), ...(opts.pythonPath ?? [])];
  if (pp.length) env.PYTHONPATH = pp.join(path.delimiter);
  if (probe) {
    env.CORESCOPE_STACKS_DIR = stacksDir;
    env.CORESCOPE_STACKS_HZ = String(HZ);
  }
  Object.assign(env, opts.env);
  const t0 = process.hrtime.bigint();
  const child = spawn(opts.python ?? PYTHON, [...(opts.pythonArgs ?? []), script, ...(opts.args ?? [])], {
    cwd: work,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    if (opts.killAfterFirstLineMs !== undefined && !stdout && c) setTimeout(() => child.kill('SIGKILL'), opts.killAfterFirstLineMs);
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  const builder = new StackSamplesBuilder(HZ);
  readPythonStacks(stacksDir, t0, builder);
  return { code, signal, stdout, stderr, stacksDir, t0, stacks: builder.build(), files: fs.readdirSync(stacksDir).sort() };
}

/** Lines of `source` (1-based) containing `text`. */
function linesOf(source: string, text: string): number[] {
  return source.split('\n').flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
}

/** "tid 123 w0"-style lines a program prints: label -> number. */
function printed(stdout: string, label: string): number[] {
  return [...stdout.matchAll(new RegExp(`^${label} (\\d+)`, 'gm'))].map((m) => Number(m[1]));
}

function samplesWhere(s: StackSamples, pred: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.t.length; i++) if (pred(i)) out.push(i);
  return out;
}

/**
 * A source's note without the one a busy machine may add (the probe's thread took fewer than 60 %
 * of its planned samples: it queues for the GIL, and for a core): '' when nothing else is noted.
 */
const otherNotes = (note: string | undefined): string => (note ?? '').replace(/(; )?took [\d,]+ of its [\d,]+ planned samples[^;]*/, '').replace(/^; /, '');

const stackOf = (s: StackSamples, i: number): StackFrame[] => s.stacks[s.stack[i]].map((f) => s.frames[f]);
const inProg = (f: StackFrame | undefined): boolean => !!f && f.file.endsWith('prog.py');

describe('Python stack probe (real CPython)', () => {
  it('samples two threads in a pure-Python loop: leaf count() at a line of its loop, with their kernel tids', async () => {
    const src = `import threading, time
def count(n):
    x = 0
    for i in range(n):
        x += i * i
    return x

def worker():
    print('tid', threading.get_native_id(), flush=True)
    end = time.monotonic() + 0.8
    while time.monotonic() < end:
        count(20000)

ts = [threading.Thread(target=worker, name='w%d' % i) for i in range(2)]
for t in ts: t.start()
for t in ts: t.join()
`;
    const r = await runPy(src);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const tids = printed(r.stdout, 'tid');
    expect(tids).toHaveLength(2);
    const s = r.stacks;
    expect(s.sources).toHaveLength(1);
    expect(otherNotes(s.sources[0].note)).toBe('');
    const loopLines = [...linesOf(src, 'for i in range(n)'), ...linesOf(src, 'x += i * i')];
    for (const name of ['w0', 'w1']) {
      const mine = samplesWhere(s, (i) => s.threadName[i] === name && s.task[i] === 0);
      // 0.8 s at 100 Hz is 80; the probe's thread queues for the GIL behind two busy threads, and
      // this 2-core machine may be busy with other work too.
      expect(mine.length, name).toBeGreaterThan(20);
      const tidsSeen = new Set(mine.map((i) => s.tid[i]));
      expect(tidsSeen.size).toBe(1);
      expect(tids).toContain([...tidsSeen][0]);
      const inLoop = mine.filter((i) => {
        const leaf = leafFrame(s, i);
        return leaf?.name === 'count' && inProg(leaf) && loopLines.includes(leaf.line);
      });
      expect(inLoop.length / mine.length, name).toBeGreaterThanOrEqual(0.8);
      // outermost first: threading's bootstrap, then worker, then count
      expect(stackOf(s, inLoop[0]).map((f) => f.name).slice(-2)).toEqual(['worker', 'count']);
      // The thread's own CPU clock: two threads sharing the GIL get about half a core each.
      const cpu = mine.map((i) => s.cpuMs[i]).filter((c) => Number.isFinite(c));
      expect(cpu.length).toBeGreaterThan(mine.length * 0.8);
      const cpuTotal = cpu.reduce((a, b) => a + b, 0);
      expect(cpuTotal).toBeGreaterThan(50);
      expect(cpuTotal).toBeLessThan(1000);
    }
    // times are ms since the run started, in order
    expect(s.t[0]).toBeGreaterThan(0);
    expect(s.t[s.t.length - 1]).toBeLessThan(5000);
  });

  it('asyncio: the loop thread names the CPU-bound crunch(); ten sleeping tasks wait at their `await asyncio.sleep` line', async () => {
    const src = `import asyncio, threading, time
def crunch(n):
    x = 0
    for i in range(n):
        x += i
    return x

async def blocker():
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        crunch(30000)

async def sleeper():
    await asyncio.sleep(1)

async def main():
    tasks = [asyncio.create_task(sleeper(), name='sleeper-%d' % i) for i in range(10)]
    await asyncio.sleep(0.05)
    await blocker()
    await asyncio.gather(*tasks)

print('tid', threading.get_native_id(), flush=True)
asyncio.run(main())
`;
    const r = await runPy(src);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const [mainTid] = printed(r.stdout, 'tid');
    const s = r.stacks;
    expect(otherNotes(s.sources[0].note)).toBe('');
    const loopThread = samplesWhere(s, (i) => s.task[i] === 0 && s.tid[i] === mainTid);
    const crunching = loopThread.filter((i) => leafFrame(s, i)?.name === 'crunch');
    expect(crunching.length).toBeGreaterThan(15); // 50 at 100 Hz on an idle core
    expect(stackOf(s, crunching[0]).map((f) => f.name)).toEqual(expect.arrayContaining(['main', 'blocker', 'crunch']));
    const sleepLine = linesOf(src, 'await asyncio.sleep(1)')[0];
    for (let k = 0; k < 10; k++) {
      const mine = samplesWhere(s, (i) => s.task[i] === 1 && s.threadName[i] === `sleeper-${k}`);
      expect(mine.length, `sleeper-${k}`).toBeGreaterThan(15);
      for (const i of mine) {
        const leaf = leafFrame(s, i);
        expect(leaf && inProg(leaf) && leaf.name === 'sleeper' && leaf.line === sleepLine).toBe(true);
        expect(s.tid[i]).toBe(mainTid);
        expect(Number.isNaN(s.cpuMs[i])).toBe(true);
      }
    }
    // While blocker() runs, the main task is the loop's current task: never a task sample then.
    const blockerTask = samplesWhere(s, (i) => s.task[i] === 1 && stackOf(s, i).some((f) => f.name === 'blocker'));
    expect(blockerTask).toHaveLength(0);
  });

  for (const method of ['fork', 'spawn', 'forkserver'] as const) {
    it(`multiprocessing (${method}): each child has its own file, and its samples name work()`, async () => {
      const src = `import multiprocessing as mp, os, sys, time
def work(seconds):
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        for i in range(10000):
            x += i
    return x

if __name__ == '__main__':
    ctx = mp.get_context(sys.argv[1])
    ps = [ctx.Process(target=work, args=(0.4,)) for _ in range(2)]
    for p in ps: p.start()
    for p in ps: print('child', p.pid, flush=True)
    for p in ps: p.join()
    print('parent', os.getpid(), flush=True)
`;
      const r = await runPy(src, { args: [method] });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const s = r.stacks;
      const children = printed(r.stdout, 'child');
      const [parent] = printed(r.stdout, 'parent');
      expect(children).toHaveLength(2);
      expect(r.files).toEqual(expect.arrayContaining([parent, ...children].map((p) => `py-${p}.jsonl`)));
      for (const pid of children) {
        const src0 = s.sources.find((x) => x.pid === pid);
        expect(src0, `source of ${pid}`).toBeDefined();
        // A fork child ends with os._exit after threading's shutdown hook: the probe flushed there.
        expect(otherNotes(src0!.note), `note of ${pid}`).toBe('');
        const mine = samplesWhere(s, (i) => s.pid[i] === pid && s.task[i] === 0);
        const inWork = mine.filter((i) => leafFrame(s, i)?.name === 'work');
        expect(inWork.length, `work() samples of ${pid}`).toBeGreaterThan(10); // 40 at 100 Hz on an idle core
        expect(inWork.length / mine.length).toBeGreaterThan(0.6);
        expect(new Set(inWork.map((i) => s.threadName[i]))).toEqual(new Set(['MainThread']));
      }
      // The parent's own samples sit in join(), not in work().
      expect(samplesWhere(s, (i) => s.pid[i] === parent && leafFrame(s, i)?.name === 'work')).toHaveLength(0);
    });
  }

  it("chains to the user's own sitecustomize (PYTHONPATH after ours): it runs, and is sys.modules['sitecustomize']", async () => {
    const user = path.join(scratch, 'user-site');
    fs.mkdirSync(user, { recursive: true });
    const marker = path.join(user, 'ran.txt');
    fs.writeFileSync(
      path.join(user, 'sitecustomize.py'),
      `import os, sys\nopen(${JSON.stringify(marker)}, 'a').write(__name__ + ' ' + str(len(sys.argv)) + '\\n')\nsys.path.append('/corescope-user-added')\nUSER_FLAG = 42\n`,
    );
    const src = `import sys, sitecustomize
print(sitecustomize.__file__)
print(sitecustomize.USER_FLAG)
print('/corescope-user-added' in sys.path)
`;
    const r = await runPy(src, { pythonPath: [user] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([path.join(user, 'sitecustomize.py'), '42', 'True']);
    expect(r.files).toHaveLength(1);
    const withProbe = fs.readFileSync(marker, 'utf8');
    fs.rmSync(marker);
    const off = await runPy(src, { pythonPath: [user], probe: false });
    expect(off.stdout).toBe(r.stdout);
    expect(withProbe).toBe(fs.readFileSync(marker, 'utf8')); // ran once, as `sitecustomize`, at the same point of start-up
    expect(withProbe).toMatch(/^sitecustomize \d\n$/);
  });

  it("reports an exception in the user's sitecustomize exactly as site.py would without the probe", async () => {
    const user = path.join(scratch, 'user-site-raising');
    fs.mkdirSync(user, { recursive: true });
    fs.writeFileSync(path.join(user, 'sitecustomize.py'), "raise ValueError('boom from the user sitecustomize')\n");
    const src = "import sys\nprint('sitecustomize' in sys.modules)\n";
    const on = await runPy(src, { pythonPath: [user] });
    const off = await runPy(src, { pythonPath: [user], probe: false });
    expect(off.stderr).toContain('Error in sitecustomize');
    expect(on.stderr).toBe(off.stderr);
    expect(on.stdout).toBe(off.stdout);
    expect(on.code).toBe(off.code);
    expect(on.files).toHaveLength(1); // the probe started before the chain
  });

  const distro = spawnSync(PYTHON, ['-c', 'import sitecustomize; print(sitecustomize.__file__)'], { env: cleanEnv(), encoding: 'utf8' });
  const distroFile = distro.status === 0 ? distro.stdout.trim() : '';
  it.runIf(distroFile)(`chains to the distribution's sitecustomize (${distroFile || 'none here'}) and its side effect still applies`, async () => {
    const text = fs.readFileSync(distroFile, 'utf8');
    const src = "import sys\nprint(sys.modules['sitecustomize'].__file__)\n";
    const hooks = path.join(scratch, 'fake-apport');
    fs.mkdirSync(hooks, { recursive: true });
    const marker = path.join(hooks, 'installed.txt');
    // Debian's sitecustomize installs apport's exception hook when apport_python_hook imports;
    // a stand-in on PYTHONPATH shows that it ran.
    fs.writeFileSync(path.join(hooks, 'apport_python_hook.py'), `def install():\n    open(${JSON.stringify(marker)}, 'a').write('installed\\n')\n`);
    const on = await runPy(src, { pythonPath: [hooks] });
    expect(on.stderr).toBe('');
    expect(on.stdout.trim()).toBe(distroFile);
    expect(on.files).toHaveLength(1);
    if (text.includes('apport_python_hook')) {
      expect(fs.readFileSync(marker, 'utf8')).toBe('installed\n');
      fs.rmSync(marker);
      await runPy(src, { pythonPath: [hooks], probe: false });
      expect(fs.readFileSync(marker, 'utf8')).toBe('installed\n');
    }
  });

  it('leaves stdout, stderr and the exit code as they are without it', async () => {
    const src = `import sys, time, threading
def count(n):
    x = 0
    for i in range(n):
        x += i
    return x
for k in range(5):
    print('out', k, count(2000000))
    sys.stderr.write('err %d\\n' % k)
print('threads', threading.active_count(), [t.name for t in threading.enumerate()])
sys.stdout.flush()
sys.exit(3)
`;
    // ~0.3 s of work on a fast machine (≈30 samples at 100 Hz): with a tenth of that, a clean-clone
    // run here finished before the probe's first sample and had none to show.
    const on = await runPy(src);
    const off = await runPy(src, { probe: false });
    expect(off.code).toBe(3);
    expect(on.code).toBe(3);
    expect(on.stdout).toBe(off.stdout);
    expect(on.stderr).toBe(off.stderr);
    expect(on.stdout).toContain("threads 1 ['MainThread']");
    expect(on.stacks.t.length).toBeGreaterThan(0);
    expect(off.files).toHaveLength(0);
  });

  it('python -I ignores PYTHONPATH: no probe, no file', async () => {
    const r = await runPy("print('isolated')\n", { pythonArgs: ['-I'] });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('isolated\n');
    expect(r.files).toHaveLength(0);
    expect(r.stacks.sources).toHaveLength(0);
  });

  it('a program SIGKILLed mid-run leaves a readable file; the reader says it ended abruptly', async () => {
    const src = `import time
def spin():
    x = 0
    while True:
        x += 1
print('started', flush=True)
spin()
`;
    const r = await runPy(src, { killAfterFirstLineMs: 700 });
    expect(r.signal).toBe('SIGKILL');
    const s = r.stacks;
    expect(s.sources).toHaveLength(1);
    expect(s.sources[0].note).toMatch(/ended abruptly/);
    expect(s.sources[0].samples).toBeGreaterThan(30); // ≥ 0.5 s flushed of 0.7 s at 100 Hz
    const spinning = samplesWhere(s, (i) => leafFrame(s, i)?.name === 'spin');
    expect(spinning.length / s.t.length).toBeGreaterThan(0.8);
  });

  it('stops at its size cap with a note, and notes a bad rate', async () => {
    const src = `import time
end = time.monotonic() + 0.6
while time.monotonic() < end:
    pass
`;
    const r = await runPy(src, { env: { CORESCOPE_STACKS_MAX_BYTES: '1024' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stacks.sources[0].note).toMatch(/stopped at the 1024-byte cap/);
    const size = fs.statSync(path.join(r.stacksDir, r.files[0])).size;
    expect(size).toBeLessThan(1024 + 2000); // at most one flush interval (~20 samples) past the cap
    expect(r.stacks.t[r.stacks.t.length - 1]).toBeLessThan(500); // it stopped sampling
    const bad = await runPy("print('ok')\n", { env: { CORESCOPE_STACKS_HZ: 'fast' } });
    expect(bad.stdout).toBe('ok\n');
    expect(bad.stacks.sources[0].note).toMatch(/CORESCOPE_STACKS_HZ='fast' is not a number/);
  });
});

// Other CPython versions the machine has (pyenv's), for the parts that differ between them:
// co_qualname (3.11+), asyncio's task registries (3.9-3.11 vs 3.12+), and 3.12+'s warning when a
// multi-threaded process forks (the probe stops its thread around fork so no warning appears).
function otherPythons(): string[] {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const out: string[] = [];
  for (const v of ['3.9', '3.10', '3.12', '3.13']) {
    let dirs: string[] = [];
    try {
      dirs = fs.readdirSync(path.join(root, 'versions')).filter((d) => d === v || d.startsWith(`${v}.`));
    } catch {
      /* no pyenv */
    }
    const bin = dirs.map((d) => path.join(root, 'versions', d, 'bin', `python${v}`)).find((b) => fs.existsSync(b));
    if (bin) out.push(bin);
  }
  return out;
}

describe.each(otherPythons())('Python stack probe on %s', (python) => {
  it('samples a thread and asyncio tasks; forking prints nothing new', async () => {
    const src = `import asyncio, os, sys, threading, time
def count(n):
    x = 0
    for i in range(n):
        x += i
    return x

def worker():
    end = time.monotonic() + 0.4
    while time.monotonic() < end:
        count(20000)

async def sleeper():
    await asyncio.sleep(0.6)

async def main():
    tasks = [asyncio.create_task(sleeper()) for i in range(5)]
    t = threading.Thread(target=worker, name='worker')
    t.start()
    await asyncio.sleep(0.5)
    print('worker', t.native_id, flush=True)
    await asyncio.gather(*tasks)

print('main', threading.get_native_id(), flush=True)
asyncio.run(main())
pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
print('child', pid, flush=True)
`;
    const on = await runPy(src, { python });
    const off = await runPy(src, { python, probe: false });
    expect(on.code).toBe(0);
    expect(on.stderr).toBe(off.stderr);
    expect(on.stdout.replace(/\d+/g, 'N')).toBe(off.stdout.replace(/\d+/g, 'N'));
    const s = on.stacks;
    const [mainTid] = printed(on.stdout, 'main');
    const [workerTid] = printed(on.stdout, 'worker');
    // The fork child exits at once, normally before the probe's first write (no file of its own).
    const [child] = printed(on.stdout, 'child');
    expect(s.sources.find((x) => x.pid === child)?.samples ?? 0).toBe(0);
    expect(s.sources.filter((x) => x.pid !== child).map((x) => [x.pid, otherNotes(x.note)])).toEqual([[mainTid, '']]);
    const counting = samplesWhere(s, (i) => s.tid[i] === workerTid && leafFrame(s, i)?.name === 'count');
    expect(counting.length).toBeGreaterThan(10);
    const sleepLine = linesOf(src, 'await asyncio.sleep(0.6)')[0];
    const waiting = samplesWhere(s, (i) => s.task[i] === 1 && leafFrame(s, i)?.line === sleepLine && leafFrame(s, i)?.name === 'sleeper');
    expect(waiting.length).toBeGreaterThan(5 * 15);
    expect(new Set(waiting.map((i) => s.tid[i]))).toEqual(new Set([mainTid]));
  });
});
