// A corpus of real programs nobody here wrote (Debian's xz, pigz, zstd, sort, make, gzip, bzip2,
// stress-ng, Python's compileall) plus the article's examples as plain user scripts started
// through a shell wrapper, as version managers' shims do. Each entry: the command, the headline
// a person who knows the program expects, and the phase kinds it must show. The verdict corpus
// test and scripts/verdict-corpus.mjs (the README's table) both read this list.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhaseKind, VerdictKind } from '../../src/shared/types';

export interface CorpusProgram {
  name: string;
  cmd: string;
  /** The headline it must get (any of these). */
  expect: VerdictKind[];
  /** Phase kinds that must appear. */
  phases: PhaseKind[];
  /**
   * A program that sits on a line by nature: when its headline is not the same every time, every
   * run must have said "borderline", its reading and the other one both among these.
   */
  borderline?: VerdictKind[];
  /** Debian package the program comes from (installed by .ci/run). */
  pkg?: string;
}

/** Text that compresses like real data: varied words and numbers, not one repeated line. */
function corpusText(bytes: number): string {
  const words = ['scheduler', 'runqueue', 'thread', 'core', 'parallel', 'interleave', 'await', 'lock', 'page', 'cache', 'latency', 'socket', 'fork', 'exec', 'signal'];
  const out: string[] = [];
  let size = 0;
  let x = 12345;
  while (size < bytes) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const line = `${words[x % words.length]} ${x % 100000} ${words[(x >> 8) % words.length]} ${(x >> 4) % 977}\n`;
    out.push(line);
    size += line.length;
  }
  return out.join('');
}

const SHIM = `#!/usr/bin/env bash
# A version manager's shim, as pyenv's: \`pyenv exec\` runs its commands (version-name, which,
# the exec hooks), each a bash process of its own, then execs the interpreter.
set -e
root="$(cd "$(dirname "$0")" && pwd)"
version="$(bash "$root/version-manager" version-name)"
python="$(bash "$root/version-manager" which "$version")"
bash "$root/version-manager" hooks exec >/dev/null
exec "$python" "$@"
`;

/**
 * One of the version manager's commands. pyenv's read its settings, walk its plugin folders and
 * source their hooks: tens of milliseconds each (pyenv's start-up measured 0.3 s here, with 5–6
 * processes seen at 20 Hz). The first stand-in ran its steps as $(…) subshells of a millisecond,
 * which a faster machine finished between two samples: no sampler sees those, and it no longer
 * looked like a shim at all.
 */
const VERSION_MANAGER = `#!/usr/bin/env bash
set -e
i=0
while [ $i -lt 25000 ]; do i=$((i + 1)); done
case "$1" in
  version-name) cat "$(dirname "$0")/.python-version" 2>/dev/null || echo system ;;
  which) echo "$REAL_PYTHON" ;;
  *) : ;;
esac
`;

const ASYNCIO_SLEEP = `import asyncio

async def task(i):
    await asyncio.sleep(1.5)
    return i

async def main():
    return await asyncio.gather(*(task(i) for i in range(10)))

asyncio.run(main())
`;

const GIL_THREADS = `import threading

def count(n):
    x = 0
    for i in range(n):
        x += i

ts = [threading.Thread(target=count, args=(30_000_000,)) for _ in range(2)]
for t in ts: t.start()
for t in ts: t.join()
`;

const PROCESSES = `import multiprocessing as mp

def count(n):
    x = 0
    for i in range(n):
        x += i

if __name__ == "__main__":
    ps = [mp.Process(target=count, args=(60_000_000,)) for _ in range(2)]
    for p in ps: p.start()
    for p in ps: p.join()
`;

function cProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const units = 16;
  const objs: string[] = [];
  for (let i = 0; i < units; i++) {
    // Enough code per unit that each compile takes a noticeable moment at -O2.
    const fns = Array.from({ length: 60 }, (_, k) => `double f${i}_${k}(double x){double s=0;for(int j=0;j<${k + 10};j++){s+=x*j/(j+${k + 1}.0);if(s>1e9)s-=x;}return s;}`).join('\n');
    writeFileSync(join(dir, `u${i}.c`), `${fns}\n`);
    objs.push(`u${i}.o`);
  }
  writeFileSync(join(dir, 'Makefile'), `all: ${objs.join(' ')}\n%.o: %.c\n\tgcc -O2 -c $< -o $@\nclean:\n\trm -f *.o\n`);
}

/** The corpus, reading its inputs from `dir` (writeCorpusInputs). `python` is the real interpreter. */
export function corpusPrograms(dir: string, python: string): CorpusProgram[] {
  const text = join(dir, 'input.txt');
  const small = join(dir, 'small.txt');
  const numbers = join(dir, 'numbers.txt');
  const shim = join(dir, 'shims', 'python3');
  const q = (p: string): string => `'${p.replace(/'/g, `'\\''`)}'`;
  const viaShim = (script: string): string => `env REAL_PYTHON=${q(python)} ${q(shim)} ${q(join(dir, script))}`;
  return [
    { name: 'xz -T2 --block-size=4MiB', cmd: `xz -T2 -6 --block-size=4MiB -c ${q(text)} > /dev/null`, expect: ['parallel'], phases: ['parallel'], pkg: 'xz-utils' },
    { name: 'pigz -p 2', cmd: `pigz -p 2 -9 -c ${q(text)} ${q(text)} ${q(text)} > /dev/null`, expect: ['parallel'], phases: ['parallel'], pkg: 'pigz' },
    { name: 'zstd -T2 -B2MiB', cmd: `zstd -q -T2 -18 -B2MiB -c ${q(text)} ${q(text)} ${q(text)} > /dev/null`, expect: ['parallel'], phases: ['parallel'], pkg: 'zstd' },
    // sort reads its input and merges its output on one thread, sorting in between on two. How
    // long each part lasts is the machine's: on an AMD host the serial read and output took
    // 0.8–1.1 s and 1.5–2.1 s (serial share 0.50–0.80 over 30 runs: serial or mixed); on an Intel
    // Xeon host (2026-12-02) 0.8–1.3 s parallel on 1.3–1.6 cores, then 0.2–0.45 s serial — a
    // parallel headline, right there, and a serial tail at or under the shortest phase (0.3 s),
    // so found in some runs and merged in others. The parallel phase must always be found; the
    // headline may be any of the three, and a flip must be said borderline.
    { name: 'sort --parallel=2', cmd: `sort --parallel=2 -S 200M ${q(numbers)} > /dev/null`, expect: ['serial', 'mixed', 'parallel'], borderline: ['serial', 'mixed', 'parallel'], phases: ['parallel'], pkg: 'coreutils' },
    { name: 'make -j2', cmd: `make -s -B -j2 -C ${q(join(dir, 'cproj'))}`, expect: ['parallel'], phases: ['parallel'], pkg: 'make gcc' },
    { name: 'gzip -9', cmd: `gzip -9 -c ${q(text)} > /dev/null`, expect: ['serial'], phases: ['serial'], pkg: 'gzip' },
    { name: 'bzip2 -9', cmd: `bzip2 -9 -c ${q(small)} > /dev/null`, expect: ['serial'], phases: ['serial'], pkg: 'bzip2' },
    { name: 'stress-ng --cpu 2', cmd: 'stress-ng --cpu 2 --cpu-method fft --timeout 2 --quiet', expect: ['parallel'], phases: ['parallel'], pkg: 'stress-ng' },
    { name: 'stress-ng --cpu 1', cmd: 'stress-ng --cpu 1 --cpu-method fft --timeout 2 --quiet', expect: ['serial'], phases: ['serial'], pkg: 'stress-ng' },
    { name: 'python3 -m compileall -j2', cmd: `${q(python)} -m compileall -q -f -j 2 ${q(join(dir, 'pylib'))}`, expect: ['parallel'], phases: ['parallel'], pkg: 'python3' },
    { name: 'sleep 2', cmd: 'sleep 2', expect: ['waiting'], phases: ['waiting'], pkg: 'coreutils' },
    { name: 'asyncio.sleep ×10 (shim)', cmd: viaShim('asyncio_sleep.py'), expect: ['waiting'], phases: ['startup', 'waiting'] },
    { name: '2 threads, GIL (shim)', cmd: viaShim('gil_threads.py'), expect: ['interleaved'], phases: ['interleaved'] },
    { name: '2 processes (shim)', cmd: viaShim('processes.py'), expect: ['parallel'], phases: ['parallel'] },
  ];
}

/** Writes every input the corpus reads into `dir`. */
export function writeCorpusInputs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const text = join(dir, 'input.txt');
  writeFileSync(text, corpusText(24 * 1024 * 1024));
  const small = join(dir, 'small.txt');
  writeFileSync(small, corpusText(8 * 1024 * 1024));
  const numbers = join(dir, 'numbers.txt');
  writeFileSync(numbers, Array.from({ length: 4_000_000 }, (_, i) => `${(i * 2654435761) % 1000003} line ${i}`).join('\n'));
  cProject(join(dir, 'cproj'));
  pyModules(join(dir, 'pylib'));
  const shimDir = join(dir, 'shims');
  mkdirSync(shimDir, { recursive: true });
  const shim = join(shimDir, 'python3');
  writeFileSync(shim, SHIM);
  chmodSync(shim, 0o755);
  writeFileSync(join(shimDir, 'version-manager'), VERSION_MANAGER);
  for (const [f, src] of [['asyncio_sleep.py', ASYNCIO_SLEEP], ['gil_threads.py', GIL_THREADS], ['processes.py', PROCESSES]] as const) writeFileSync(join(dir, f), src);
}

/** Python modules for compileall to byte-compile: many, each long enough to take a moment. */
function pyModules(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let m = 0; m < 120; m++) {
    const body = Array.from({ length: 150 }, (_, k) => `def f${k}(x, y=${k}):\n    s = 0\n    for i in range(x):\n        if i % ${k + 2} == 0:\n            s += i * y\n        else:\n            s -= {'a': i, 'b': [y, ${k}]}['b'][0]\n    return s\n`).join('\n');
    writeFileSync(join(dir, `mod${m}.py`), body);
  }
}
