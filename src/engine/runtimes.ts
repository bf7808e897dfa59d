// Finds the Python and Node interpreters CoreScope can run scenarios with, and what they are
// (version, implementation, whether a Python has the GIL). Each candidate is run once with a
// tiny probe under a timeout; results are cached per path for the life of the process.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RuntimeInfo } from '../shared/types';

export interface RuntimeQuery {
  /** An interpreter the user named (--python PATH); it must work, or findRuntimes throws. */
  python?: string;
  node?: string;
}

export class RuntimeNotFoundError extends Error {
  constructor(
    readonly kind: 'python' | 'node',
    readonly lookedFor: string[],
    detail?: string,
  ) {
    const flag = kind === 'python' ? '--python PATH' : '--node PATH';
    super(
      `no usable ${kind === 'python' ? 'Python 3' : 'Node.js'} interpreter found` +
        (detail ? ` (${detail})` : '') +
        `; looked for: ${lookedFor.join(', ') || 'nothing'}. ` +
        `Install one, or point CoreScope at it with ${flag} (in the app: the Interpreter / Runtime field of the scenario form).`,
    );
    this.name = 'RuntimeNotFoundError';
  }
}

const PROBE_TIMEOUT_MS = 5000;

// Python >= 3.13 has sys._is_gil_enabled(); Py_GIL_DISABLED marks a free-threaded build.
const PYTHON_PROBE = [
  'import sys, sysconfig, platform, json',
  'f = getattr(sys, "_is_gil_enabled", None)',
  'print(json.dumps({"version": platform.python_version(), "implementation": platform.python_implementation(),',
  ' "executable": sys.executable, "major": sys.version_info[0], "gil": f() if f else True,',
  ' "ft": bool(sysconfig.get_config_var("Py_GIL_DISABLED"))}))',
].join('\n');

const NODE_PROBE = 'console.log(JSON.stringify({version: process.version, electron: process.versions.electron || null}))';

/** Parses the Python probe's output; exported so detection logic is testable without a 3.13t. */
export function parsePythonProbe(runPath: string, stdout: string): RuntimeInfo | null {
  try {
    const p = JSON.parse(stdout.trim().split('\n').pop() ?? '');
    if (p.major !== 3 || typeof p.version !== 'string') return null;
    return {
      kind: 'python',
      path: runPath,
      version: p.version,
      implementation: String(p.implementation ?? 'CPython'),
      gilEnabled: p.gil !== false,
      freeThreadedBuild: p.ft === true,
    };
  } catch {
    return null;
  }
}

export function parseNodeProbe(runPath: string, stdout: string): RuntimeInfo | null {
  try {
    const p = JSON.parse(stdout.trim().split('\n').pop() ?? '');
    if (typeof p.version !== 'string') return null;
    return {
      kind: 'node',
      path: runPath,
      version: p.version.replace(/^v/, ''),
      implementation: p.electron ? `electron ${p.electron}` : 'node',
    };
  } catch {
    return null;
  }
}

function executableOf(stdout: string): string | undefined {
  try {
    const exe = JSON.parse(stdout.trim().split('\n').pop() ?? '').executable;
    return typeof exe === 'string' && exe ? exe : undefined;
  } catch {
    return undefined;
  }
}

type ProbeResult = { info: RuntimeInfo; key: string } | { error: string };
const cache = new Map<string, Promise<ProbeResult>>();

export function clearRuntimeCache(): void {
  cache.clear();
}

/**
 * Probes started at once. Starting a process blocks Node's event loop while it forks (~0.1 s for
 * a process the size of the engine on a loaded 2-core machine): a dozen pyenv shims forked in one
 * go held `serve` for ~2 s, and the page waited. A few at a time, with the event loop let through
 * between forks, keeps the probing parallel and the engine answering.
 */
const PROBES_AT_ONCE = 6;
let probesRunning = 0;
const probeQueue: (() => void)[] = [];

async function probeSlot(): Promise<() => void> {
  if (probesRunning >= PROBES_AT_ONCE) await new Promise<void>((r) => probeQueue.push(r));
  probesRunning++;
  await new Promise((r) => setImmediate(r));
  return () => {
    probesRunning--;
    probeQueue.shift()?.();
  };
}

async function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string } | { error: string }> {
  const release = await probeSlot();
  try {
    return await runNow(file, args, env);
  } finally {
    release();
  }
}

function runNow(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: PROBE_TIMEOUT_MS, env, maxBuffer: 64 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = err.killed ? `no answer within ${PROBE_TIMEOUT_MS} ms` : code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : (stderr || err.message).trim().split('\n').pop();
        resolve({ error: `${file}: ${why}` });
      } else resolve({ stdout });
    });
  });
}

function probe(kind: 'python' | 'node', file: string): Promise<ProbeResult> {
  const cacheKey = `${kind}:${file}`;
  let p = cache.get(cacheKey);
  if (!p) {
    p = (async (): Promise<ProbeResult> => {
      const env = kind === 'node' ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
      const args = kind === 'python' ? ['-c', PYTHON_PROBE] : ['-e', NODE_PROBE];
      const r = await run(file, args, env);
      if ('error' in r) return r;
      const info = kind === 'python' ? parsePythonProbe(file, r.stdout) : parseNodeProbe(file, r.stdout);
      if (!info) return { error: `${file}: not a ${kind === 'python' ? 'Python 3' : 'Node.js'} interpreter` };
      // Dedupe by the interpreter that actually ran: python3 -> python3.11 symlinks and a
      // pyenv shim all land on one real executable, which is one entry.
      const exe = kind === 'python' ? executableOf(r.stdout) : undefined;
      let key = exe ?? file;
      try {
        key = fs.realpathSync(key);
      } catch {
        /* a bare name run via PATH: keep it */
      }
      return { info, key };
    })();
    cache.set(cacheKey, p);
  }
  return p;
}

/** One interpreter, probed alone (cached): its info, or null when it does not run. */
export async function probeRuntime(kind: 'python' | 'node', file: string): Promise<RuntimeInfo | null> {
  const r = await probe(kind, file);
  return 'error' in r ? null : r.info;
}

const PYTHON_NAME = /^(python3(\.\d+)?t?|pypy3(\.\d+)?)$/;

function pathDirs(): string[] {
  return (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** An executable regular file (a directory with its x bit set is not one). */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Python candidates in preference order: python3 on PATH first, then versioned and other builds. */
export function pythonCandidates(): string[] {
  const out: string[] = [];
  const dirs = [...pathDirs(), '/usr/bin', '/usr/local/bin'];
  for (const d of dirs) if (isExecutable(path.join(d, 'python3'))) out.push(path.join(d, 'python3'));
  for (const d of dirs) {
    const names = listDir(d).filter((n) => PYTHON_NAME.test(n) && n !== 'python3').sort();
    for (const n of names) if (isExecutable(path.join(d, n))) out.push(path.join(d, n));
  }
  return sameFileOnce(out);
}

/** One path per file: /bin/python3 and /usr/bin/python3 (a merged /usr), or python3 → python3.11, are one probe. */
function sameFileOnce(paths: string[]): string[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    let key = p;
    try {
      key = fs.realpathSync(p);
    } catch {
      /* keep the path itself */
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function nodeCandidates(): string[] {
  const out: string[] = [];
  for (const d of pathDirs()) if (isExecutable(path.join(d, 'node'))) out.push(path.join(d, 'node'));
  // The runtime we are in: node itself for the CLI, Electron (run as node) inside the app.
  out.push(process.execPath);
  return sameFileOnce(out);
}

/**
 * All usable interpreters, the ones given in `query` first. Throws RuntimeNotFoundError when a
 * given path does not work (the user asked for it); missing discovered ones are just skipped.
 */
export async function findRuntimes(query: RuntimeQuery = {}): Promise<RuntimeInfo[]> {
  // Every candidate of both kinds is probed at once (each probe is a process start, ~0.1–1 s, and
  // seconds for a pyenv shim): the page waits for the slowest probe, not for their sum.
  const lists = await Promise.all((['python', 'node'] as const).map((kind) => runtimesOf(kind, query[kind])));
  return lists.flat();
}

async function runtimesOf(kind: 'python' | 'node', given: string | undefined): Promise<RuntimeInfo[]> {
  const found: RuntimeInfo[] = [];
  const seen = new Set<string>();
  const list = kind === 'python' ? pythonCandidates() : nodeCandidates();
  const [mine, results] = await Promise.all([given ? probe(kind, given) : null, Promise.all(list.map((c) => probe(kind, c)))]);
  if (mine) {
    if ('error' in mine) throw new RuntimeNotFoundError(kind, [given!], mine.error);
    seen.add(mine.key);
    found.push(mine.info);
  }
  for (const r of results) {
    if ('error' in r || seen.has(r.key)) continue;
    seen.add(r.key);
    found.push(r.info);
  }
  return found;
}

/** The interpreter to run a scenario with: the given one, else the first found; throws with advice. */
export async function resolveRuntime(kind: 'python' | 'node', query: RuntimeQuery = {}): Promise<RuntimeInfo> {
  const all = await findRuntimes(query);
  const hit = all.find((r) => r.kind === kind);
  if (!hit) {
    const looked = kind === 'python'
      ? ['python3 on PATH', '/usr/bin/python3*', '/usr/local/bin/python3*', 'pypy3', 'python3.13t']
      : ['node on PATH', `this process (${process.execPath}) with ELECTRON_RUN_AS_NODE=1`];
    throw new RuntimeNotFoundError(kind, looked);
  }
  return hit;
}
