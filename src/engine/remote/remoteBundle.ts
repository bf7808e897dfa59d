// What CoreScope sends to a machine it reaches over SSH (issue #18), so that nothing has to be
// installed there by hand: the CLI and engine as one JavaScript file with every package inside
// (esbuild, from this checkout's own sources), the workloads folder (scenarios, the keeper, the
// stack probes) and a package.json for the version. The remote needs only Node.js ≥ 20 and
// Python 3. The bundle is named by the SHA-256 of its content: the remote keeps it in a cache
// folder under that name and the next connection finds it there and sends nothing.
// The native sampler addon is not sent (it is built for this machine's CPU and libc): the
// remote samples with the JavaScript sampler, and each run's fidelity says so.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findWorkloadsDir } from '../scenarioCommand';
import { corescopeVersion } from '../version';

export interface RemoteBundle {
  /** SHA-256 (hex) of the bundle's files: the name of its folder on the remote. */
  hash: string;
  /** The files as a gzipped tar, to unpack into that folder. */
  tarGz: Buffer;
  /** The entry point, relative to the folder. */
  entry: string;
}

export const BUNDLE_ENTRY = 'corescope.mjs';

let cached: Promise<RemoteBundle> | null = null;

/** The bundle of this CoreScope, built once per process. */
export function remoteBundle(): Promise<RemoteBundle> {
  cached ??= buildRemoteBundle().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

/** Every file under `dir` that belongs in the bundle (no bytecode caches), sorted. */
function workloadFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === '__pycache__' || name.endsWith('.pyc')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function buildRemoteBundle(): Promise<RemoteBundle> {
  const workloads = findWorkloadsDir();
  const root = join(workloads, '..');
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error(`cannot build the bundle to send to the remote machine: esbuild is not installed here (run npm install in ${root})`);
  }
  const built = await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    write: false,
    minify: false,
    logLevel: 'silent',
    // ws's optional native helpers; electron is never imported by the CLI (a lint rule says so).
    external: ['bufferutil', 'utf-8-validate', 'electron'],
    // Packages written as CommonJS call require() for Node's built-ins; an ES module has none.
    banner: { js: "import { createRequire as __corescopeCreateRequire } from 'node:module'; const require = __corescopeCreateRequire(import.meta.url);" },
  });
  const js = built.outputFiles[0].contents;
  const pkg = JSON.stringify({ name: 'corescope-remote', version: corescopeVersion(), private: true, type: 'module' });
  const files = workloadFiles(workloads);

  const hash = createHash('sha256');
  hash.update(js).update(pkg);
  for (const f of files) hash.update(relative(root, f)).update('\0').update(readFileSync(f));
  const digest = hash.digest('hex');

  const staging = mkdtempSync(join(tmpdir(), 'corescope-bundle-'));
  try {
    writeFileSync(join(staging, BUNDLE_ENTRY), js);
    writeFileSync(join(staging, 'package.json'), pkg);
    for (const f of files) cpSync(f, join(staging, relative(root, f)), { recursive: true });
    const tarGz = await new Promise<Buffer>((resolve, reject) => {
      execFile('tar', ['-czf', '-', '-C', staging, '.'], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => (err ? reject(new Error(`cannot pack the bundle for the remote machine: ${err.message}`)) : resolve(stdout)));
    });
    return { hash: digest, tarGz, entry: BUNDLE_ENTRY };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
