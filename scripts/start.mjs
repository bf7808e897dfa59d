#!/usr/bin/env node
// `npm start`: the Electron app when an Electron binary is installed; otherwise one line saying
// so, and the same UI through `corescope serve --open` (a Chromium/Chrome app window, or the
// URL printed when no browser or no display is found). Builds first when out/ is missing.
// `npm start -- --browser` asks for the browser UI where Electron exists too.
import { spawn, spawnSync } from 'node:child_process';
import { cliNodeFlags } from './lib/cliNodeFlags.mjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));

const BUILD_OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/cli/index.js'];

export function ensureBuilt() {
  const missing = BUILD_OUTPUTS.filter((p) => !existsSync(join(ROOT, p)));
  if (!missing.length) return;
  process.stderr.write(`corescope: building first (${missing.join(', ')} missing)…\n`);
  const res = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

function electronPathOnce() {
  try {
    const resolved = require.resolve('electron');
    // The package's main exports the binary path, and throws when its download never happened.
    delete require.cache[resolved];
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? { path } : { packagePresent: true, reason: `its binary ${path} is missing` };
  } catch (err) {
    const message = String(err?.message ?? err);
    if (/Cannot find module 'electron'/.test(message) || err?.code === 'MODULE_NOT_FOUND') return { packagePresent: false, reason: 'the optional `electron` package is not installed' };
    return { packagePresent: true, reason: message.split('\n')[0] };
  }
}

/**
 * The Electron binary, or why there is none. With `tryInstall`, a present package whose binary
 * is missing gets one download attempt (`node node_modules/electron/install.js`).
 */
export function findElectronBinary({ tryInstall = false } = {}) {
  let found = electronPathOnce();
  if (found.path || !found.packagePresent || !tryInstall) return found;
  const installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  if (existsSync(installer)) {
    spawnSync(process.execPath, [installer], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
    found = electronPathOnce();
    if (!found.path) found.reason = `${found.reason}; its download (electron/install.js) did not succeed either`;
  }
  return found;
}

/** Chromium refuses to run as root without this; only then is it passed. */
export function electronArgs() {
  return process.getuid?.() === 0 ? ['--no-sandbox'] : [];
}

function run(command, args) {
  const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** `corescope serve --open`, in a Node started as the command starts it (its flags: bin/corescope.mjs). */
function serve() {
  run(process.execPath, [...cliNodeFlags(), join(ROOT, 'bin', 'corescope.mjs'), 'serve', '--open']);
}

function main() {
  ensureBuilt();
  // `npm start -- --browser`: the browser UI even where Electron is installed.
  if (process.argv.includes('--browser')) {
    process.stderr.write('corescope: --browser: opening the UI with `corescope serve --open`.\n');
    serve();
    return;
  }
  const electron = findElectronBinary({ tryInstall: true });
  if (electron.path) {
    run(electron.path, [ROOT, ...electronArgs()]);
    return;
  }
  process.stderr.write(`corescope: no Electron binary available (${electron.reason}) — opening the UI with \`corescope serve --open\` instead.\n`);
  serve();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
