// Finds and loads the native sampler (native/, built by scripts/build-native.mjs into
// build/Release/corescope_sampler.node) and says why when it cannot: the JavaScript sampler then runs.
//
// The addon is looked for upwards from this module, so the same code finds it from the sources
// (vitest, tsx: src/engine/sampler), the CLI bundle (out/cli) and Electron's main bundle (out/main).
// It is the default where it is built and loads. CORESCOPE_SAMPLER=js runs the JavaScript
// sampler instead; CORESCOPE_SAMPLER_ADDON=<file.node> loads that file (tests use a missing path
// to exercise the fallback). (It was opt-in while a thread found during a replay was read up to
// a drain late; the native thread now wakes JavaScript after any pass in which a pid was taken or
// a followed file was found gone, and test/integration/workloadSeries.test.ts holds both samplers
// to the same series.)
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a slot is to the native pass (native/sampler_core.h numbers them the same). */
export const NATIVE_ROLE = {
  'cpu-stat': 0,
  loadavg: 1,
  'process-stat': 2,
  'keeper-stat': 3,
  'keeper-children': 4,
  'task-schedstat': 5,
  'task-stat': 6,
} as const;

declare const handleBrand: unique symbol;
/** An opaque native sampler (a Node-API external). */
export type NativeHandle = { readonly [handleBrand]: true };

/** The functions native/addon.cc exports. */
export interface NativeAddon {
  create(): NativeHandle;
  /** The slot id, or -errno when the file cannot be opened. */
  add(h: NativeHandle, path: string, role: number, pid: number, tid: number): number;
  drop(h: NativeHandle, slot: number): void;
  /** The file's bytes now (a copy); null when it is gone. */
  readNow(h: NativeHandle, slot: number): Buffer | null;
  /** `onTreeChange`: called (on the JavaScript thread, not keeping it alive) after a pass in which a pid was taken or a followed file was found gone. */
  start(h: NativeHandle, periodNs: number, slowEvery: number, statEvery: number, firstPass: number, maxPendingBytes: number, onTreeChange?: () => void): boolean;
  stop(h: NativeHandle): void;
  /** Stops sampling and closes every descriptor in one call (absent from an addon built before it). */
  closeAll?(h: NativeHandle): void;
  /** The records since the last drain (native/record_format.h), and samples dropped since the start. */
  drain(h: NativeHandle): { records: ArrayBuffer | null; dropped: number };
  threadTid(h: NativeHandle): number;
}

export type AddonLoad = { addon: NativeAddon; path: string } | { addon: null; reason: string };

const ADDON_FILE = join('build', 'Release', 'corescope_sampler.node');
const loaded = new Map<string, AddonLoad>();

/** The directory of this module, in ESM (sources, bundles) or a CJS bundle. */
function moduleDir(): string {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return typeof __dirname === 'string' ? __dirname : process.cwd();
  }
}

/** build/Release/corescope_sampler.node in this module's directory or one above it; null when none. */
export function findAddon(from = moduleDir()): string | null {
  let dir = resolve(from);
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** The native addon, or why not (once per path: a failed load is not retried). */
export function loadNativeAddon(env: NodeJS.ProcessEnv = process.env): AddonLoad {
  if (env.CORESCOPE_SAMPLER === 'js') return { addon: null, reason: 'CORESCOPE_SAMPLER=js' };
  if (process.platform !== 'linux') return { addon: null, reason: `it reads Linux /proc; this is ${process.platform}` };
  const path = env.CORESCOPE_SAMPLER_ADDON || findAddon();
  if (!path) return { addon: null, reason: 'not built (npm install builds it with node-gyp: python3, make and a C++ compiler)' };
  const known = loaded.get(path);
  if (known) return known;
  let result: AddonLoad;
  try {
    const addon = createRequire(join(moduleDir(), 'nativeAddon.js'))(path) as NativeAddon;
    result = typeof addon?.create === 'function' ? { addon, path } : { addon: null, reason: `${path} is not the sampler addon` };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    result = { addon: null, reason: existsSync(path) ? `could not load ${path}: ${message}` : `${path} not found` };
  }
  loaded.set(path, result);
  return result;
}
