// `npm install` (and `npm run build:native`): builds the native sampler (native/, binding.gyp)
// with node-gyp. It never fails the install: where it cannot build (no compiler, not Linux, no
// Node headers), it prints one line and exits 0, and every run uses the JavaScript sampler.
//
// node-gyp: the one npm runs lifecycle scripts with (npm_config_node_gyp), else npm's own copy
// next to this Node, else one on PATH. Headers: this Node's own (<prefix>/include/node) when they
// are installed, so the build works offline; else node-gyp downloads them.
// CORESCOPE_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LOG = join(ROOT, 'build', 'native-build.log');
const say = (line) => process.stdout.write(`corescope: ${line}\n`);
const fallback = (why) => {
  say(`native sampler not built (${why}); runs will use the JavaScript sampler.`);
  process.exit(0);
};

if (process.env.CORESCOPE_SKIP_NATIVE === '1') fallback('CORESCOPE_SKIP_NATIVE=1');
if (process.platform !== 'linux') fallback(`it reads Linux /proc; this is ${process.platform}`);

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const js = candidates.find((p) => p && existsSync(p));
  if (js) return [process.execPath, js];
  const onPath = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' });
  return onPath.error ? null : ['node-gyp'];
}

const gyp = nodeGyp();
if (!gyp) fallback('node-gyp not found');
const prefix = resolve(dirname(process.execPath), '..');
const localHeaders = existsSync(join(prefix, 'include', 'node', 'node_api.h')) && existsSync(join(prefix, 'include', 'node', 'common.gypi'));
const args = [...gyp.slice(1), 'rebuild', ...(localHeaders ? [`--nodedir=${prefix}`] : [])];
const r = spawnSync(gyp[0], args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
mkdirSync(dirname(LOG), { recursive: true });
writeFileSync(LOG, `${[gyp[0], ...args].join(' ')}\n\n${r.stdout ?? ''}\n${r.stderr ?? ''}\n${r.error ? String(r.error) : ''}`);
if (r.error || r.status !== 0) {
  const last = `${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => /error|not found|No such/i.test(l) && !/^gyp ERR! (stack|System|command|cwd|node)/.test(l))[0];
  fallback(`${r.error ? r.error.message : `node-gyp exited ${r.status}`}${last ? `: ${last.slice(0, 160)}` : ''}; see ${LOG}`);
}
say('native sampler built (build/Release/corescope_sampler.node).');
