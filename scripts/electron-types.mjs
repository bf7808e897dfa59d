#!/usr/bin/env node
// Electron's TypeScript types without Electron's binary (run by `postinstall` and `typecheck`).
//
// Why: `electron` is an optional dependency. Where its binary cannot be downloaded, npm drops
// the whole package — and with it electron.d.ts, which `tsc` needs for the thin shell in
// src/main. The types are one file inside the package's tarball on the npm registry, so this
// fetches that tarball with `npm pack` (which never runs install scripts, so nothing tries to
// download a binary) and keeps only electron.d.ts, in node_modules/.corescope/electron-types/.
// tsconfig.json maps `electron` to the real package first and to this copy second.
//
// Nothing to do when the real package is installed or the copy for the locked version exists.
// Never fails `npm install`: when the registry cannot be reached it says so; `npm run typecheck`
// runs this again and then fails on the missing types, naming this script.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TYPES_DIR = join(ROOT, 'node_modules', '.corescope', 'electron-types');

/** The Electron version the app is built for: the lock file's, else the lowest of package.json's range. */
export function electronVersion(root = ROOT) {
  try {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    const locked = lock.packages?.['node_modules/electron']?.version;
    if (locked) return locked;
  } catch {
    // no lock file: fall through to package.json
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const range = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? pkg.dependencies?.electron;
  if (!range) throw new Error('package.json does not name an electron version');
  return range.replace(/^[^\d]*/, '');
}

function ensureElectronTypes() {
  if (existsSync(join(ROOT, 'node_modules', 'electron', 'electron.d.ts'))) return 'the electron package is installed';
  const version = electronVersion();
  const stamp = join(TYPES_DIR, 'version');
  if (existsSync(join(TYPES_DIR, 'electron.d.ts')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) {
    return `electron ${version} types already in place`;
  }
  const work = mkdtempSync(join(tmpdir(), 'corescope-electron-types-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const pack = spawnSync(npm, ['pack', `electron@${version}`, '--pack-destination', work, '--silent'], { cwd: work, encoding: 'utf8', shell: process.platform === 'win32' });
    const tarball = pack.stdout?.trim().split('\n').pop();
    if (pack.status !== 0 || !tarball) throw new Error(`npm pack electron@${version} failed: ${(pack.stderr || pack.error?.message || '').trim().split('\n')[0]}`);
    const untar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/electron.d.ts'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`could not unpack electron.d.ts from ${tarball}: ${(untar.stderr || untar.error?.message || '').trim()}`);
    mkdirSync(TYPES_DIR, { recursive: true });
    // Written whole, then renamed: an interrupted install never leaves half a declaration file.
    const tmp = join(TYPES_DIR, `.electron.d.ts.${process.pid}.tmp`);
    writeFileSync(tmp, readFileSync(join(work, 'package', 'electron.d.ts')));
    renameSync(tmp, join(TYPES_DIR, 'electron.d.ts'));
    // A package.json makes the folder resolvable like the real package (tsconfig.json's paths).
    writeFileSync(join(TYPES_DIR, 'package.json'), `${JSON.stringify({ name: 'electron', version, types: 'electron.d.ts' }, null, 2)}\n`);
    writeFileSync(stamp, version);
    return `electron ${version} types fetched (the package itself is not installed: no Electron binary here)`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const strict = process.argv.includes('--strict');
  try {
    process.stdout.write(`corescope: ${ensureElectronTypes()}\n`);
  } catch (err) {
    process.stderr.write(`corescope: Electron's types could not be fetched (${err.message}); \`npm run typecheck\` needs them: run \`node scripts/electron-types.mjs\` when the npm registry can be reached.\n`);
    process.exit(strict ? 1 : 0);
  }
}
