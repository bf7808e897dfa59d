// `npm run bench` (third part): what the stack probes cost the program they sample. A pure-Python
// CPU loop and a Node.js CPU loop, each run with the probes off and on at the default rate, in
// alternation (off, on, off, on…, so a drift of the machine's speed hits both alike), every run
// measured by /usr/bin/time (wall, user, system) — the reference tool — and by the program's own
// clock around its loop. The probes' environment is exactly what a run gets (StackProbes.env).
// Writes its section of BENCHMARKS.md. Target (issue 15): ≤ 3 % slowdown.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './lib/bundleForNode.mjs';
import { writeBenchSection } from './lib/benchmarksFile.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAIRS = Number(process.env.BENCH_STACKS_PAIRS ?? 5);
const RATE_HZ = 100;
const TARGET_PCT = 3;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = mkdtempSync(join(tmpdir(), 'corescope-bench-stacks-'));
const log = (msg) => process.stderr.write(`bench-stacks: ${msg}\n`);

if (!existsSync('/usr/bin/time')) {
  console.error('bench-stacks: /usr/bin/time is needed as the reference (apt-get install time)');
  process.exit(1);
}

const PY_LOOP = join(tmp, 'loop.py');
writeFileSync(
  PY_LOOP,
  ['import time', 'def loop(n):', '    x = 0', '    for i in range(n):', '        x += i % 7', '    return x', 't = time.monotonic()', 'loop(120_000_000)', 'print(f"{(time.monotonic() - t) * 1000:.1f}")', ''].join('\n'),
);
const JS_LOOP = join(tmp, 'loop.js');
writeFileSync(
  JS_LOOP,
  [
    'function step(x, i) { return (x + Math.sqrt(i) * 1.0000001) % 1e9; }',
    'function loop(n) { let x = 0; for (let i = 0; i < n; i++) x = step(x, i); return x; }',
    'const t = performance.now();',
    'loop(400_000_000);',
    'console.log((performance.now() - t).toFixed(1));',
    '',
  ].join('\n'),
);

const { probes: probesModule } = await bundleForNode({ probes: join(ROOT, 'src/engine/stacks/stackProbes.ts') }, join(tmp, 'bundle'));
const { StackProbes } = await import(probesModule);

/** One run under /usr/bin/time: wall, CPU (user + system) and the loop's own ms. */
function timed(argv, env) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', ...argv], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  const [, e, u, s] = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr) ?? [];
  return { wallS: Number(e), cpuS: Number(u) + Number(s), loopMs: Number(r.stdout.trim().split('\n').pop()) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (on, off) => ((on / off - 1) * 100).toFixed(1);

function measure(label, argv) {
  const off = [];
  const on = [];
  let samples = 0;
  for (let k = 0; k < PAIRS; k++) {
    off.push(timed(argv, { ...process.env }));
    const probes = StackProbes.open(RATE_HZ, join(ROOT, 'workloads'));
    const env = { ...process.env, ...probes.env({ ...process.env }) };
    on.push(timed(argv, env));
    // The probes must have sampled the loop, or "on" measured nothing.
    const dir = env.CORESCOPE_STACKS_DIR;
    const nodeDir = join(dirname(dir), 'node');
    samples = readdirSync(dir).length + readdirSync(nodeDir).length;
    probes.dispose();
    if (!samples) throw new Error(`${label}: the probe wrote nothing`);
    log(`${label} pair ${k + 1}/${PAIRS}: off ${off[k].loopMs} ms, on ${on[k].loopMs} ms`);
  }
  const m = (xs, key) => median(xs.map((x) => x[key]));
  return {
    label,
    offLoop: m(off, 'loopMs'),
    onLoop: m(on, 'loopMs'),
    offWall: m(off, 'wallS'),
    onWall: m(on, 'wallS'),
    offCpu: m(off, 'cpuS'),
    onCpu: m(on, 'cpuS'),
    pairedLoopPct: median(on.map((x, i) => (x.loopMs / off[i].loopMs - 1) * 100)),
  };
}

try {
  const load = loadavg()[0];
  const rows = [measure('pure-Python loop (python3, 1 thread)', [PYTHON, PY_LOOP]), measure('Node.js loop (main thread)', [process.execPath, JS_LOOP])];
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
  const md = [
    '## 5. What the stack probes cost the program',
    '',
    `${date} UTC, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Linux ${release()}, load ${load.toFixed(2)} at start; Node ${process.version}; ${PAIRS} pairs of runs per program, probes off and on in alternation, at ${RATE_HZ} stack samples/s (the default). Wall and CPU by \`/usr/bin/time\` (the reference), loop time by the program's own clock; medians.`,
    '',
    '| program | loop off | loop on | slowdown (paired median) | wall off → on (/usr/bin/time) | CPU off → on (/usr/bin/time) | target |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.offLoop.toFixed(0)} ms | ${r.onLoop.toFixed(0)} ms | ${r.pairedLoopPct.toFixed(1)} % | ${r.offWall.toFixed(2)} → ${r.onWall.toFixed(2)} s (${pct(r.onWall, r.offWall)} %) | ${r.offCpu.toFixed(2)} → ${r.onCpu.toFixed(2)} s (${pct(r.onCpu, r.offCpu)} %) | ≤ ${TARGET_PCT} %: ${r.pairedLoopPct <= TARGET_PCT ? 'met' : 'MISSED'} |`,
    ),
    '',
    'The CPU column includes the probe itself (the Python sampling thread, V8\'s profiler thread) and, for Node, writing the profile at exit; the wall column includes interpreter start-up and, with the probe, loading it.',
  ].join('\n');
  writeBenchSection('stacks', md);
  console.log(md);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
