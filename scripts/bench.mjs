// `npm run bench`: measures CoreScope's sampler against pidstat and top on the same workload tree
// and writes BENCHMARKS.md. Not part of `npm test`; it fails only on real errors (a missed target
// is a figure in the report, not an exit code). Everything it starts is ended before it exits.
//
//   1. CPU of the sampler itself at 20 Hz and 100 Hz following 8 processes / 50 threads, measured
//      as utime+stime of each sampler's own process from /proc/<pid>/stat (CoreScope runs in a
//      dedicated Node child that does only the run), side by side with `pidstat -t -p PIDS 1` and
//      `top -b -H -d 0.05 -p PIDS` (and `top -d 0.01` at 100 Hz).
//   2. Latency of one sample (core + tree read), p50/p99, at 20 and 100 Hz.
//   3. Accuracy: CoreScope's CPU total for a busy-loop command against /usr/bin/time.
//   4. The native sampler (the default where it is built) against the JavaScript one
//      (CORESCOPE_SAMPLER=js) at 20 and 100 Hz, each run's sample-time jitter, and the cost at
//      50 / 500 / 2,000 threads (scripts/lib/benchSamplers.mjs renders it).
//
// Environment: BENCH_SECONDS (workload length, default 20), BENCH_CPU_PROF=<dir> (run the
// CoreScope child under `node --cpu-prof` and keep the profiles there).
import { cliNodeFlags } from './lib/cliNodeFlags.mjs';
import { nativeAddonEnv } from './lib/nativeAddonEnv.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { writeBenchSection } from './lib/benchmarksFile.mjs';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, openSync, closeSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, loadavg, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './lib/bundleForNode.mjs';
import { statField } from './lib/procStat.mjs';
import { jitterOf, renderSamplers, samplerOf, SCALE_THREADS, summaryRows } from './lib/benchSamplers.mjs';
import si from 'systeminformation';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKLOAD = join(ROOT, 'scripts', 'bench', 'workload.py');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const TAG = `corescope-bench-${process.pid}-${Date.now().toString(36)}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const TREE = { processes: 8, threads: 50 };
const TARGETS = { 20: 1, 100: 3 };
const ACCURACY_TARGET_PCT = 5;
const BUSY_ITERATIONS = 40_000_000; // ≈ 3 s of pure-Python loop per process on the reference machine
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const TICK_MS = 1000 / CLK_TCK;

const started = new Set(); // ChildProcess objects this bench started
const tmp = mkdtempSync(join(tmpdir(), 'corescope-bench-'));
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// ---------- /proc helpers ----------

/** utime+stime of a process (all its threads, live and exited) in ms; null when it is gone. */
function cpuMsOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return (Number(statField(text, 14)) + Number(statField(text, 15))) * TICK_MS;
  } catch {
    return null;
  }
}

/** utime+stime of one thread in ms. */
function threadCpuMs(pid, tid) {
  try {
    const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return (Number(statField(text, 14)) + Number(statField(text, 15))) * TICK_MS;
  } catch {
    return null;
  }
}

function argvOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

function ppidOf(pid) {
  try {
    return Number(statField(readFileSync(`/proc/${pid}/stat`, 'utf8'), 4));
  } catch {
    return null;
  }
}

function threadCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/** Pids of this bench's own processes whose command line carries TAG (workloads and busy loops). */
function taggedPids() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const argv = argvOf(d);
    if (argv && argv.includes(TAG)) out.push(Number(d));
  }
  return out;
}

/** Workload processes (the python tree, not the keeper or sh that carry TAG inside a longer argument). */
function workloadPids() {
  return taggedPids().filter((pid) => (argvOf(pid) ?? []).includes(WORKLOAD));
}

async function waitForTree(timeoutMs = 15000, want = TREE) {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const pids = workloadPids();
    const threads = pids.reduce((s, p) => s + threadCount(p), 0);
    if (pids.length >= want.processes && threads >= want.threads) return { pids: pids.sort((a, b) => a - b), threads };
    if (nowMs() > deadline) throw new Error(`workload tree did not come up: ${pids.length} processes, ${threads} threads`);
    await sleep(50);
  }
}

// ---------- process helpers ----------

function track(child) {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function stop(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
  const done = await Promise.race([exited(child).then(() => true), sleep(2000).then(() => false)]);
  if (!done) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
    await exited(child);
  }
}

function have(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

/** A reference sampler (pidstat/top) writing to a file; its CPU is read from /proc at the end. */
function startReference(name, cmd, args) {
  const outPath = join(tmp, `${name}.out`);
  const fd = openSync(outPath, 'w');
  const child = track(spawn(cmd, args, { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, LC_ALL: 'C' } }));
  closeSync(fd);
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const ref = { name, cmd: [cmd, ...args].join(' '), child, outPath, t0: nowMs(), cpu0: 0, get stderr() { return stderr; } };
  child.once('spawn', () => {
    ref.t0 = nowMs();
    ref.cpu0 = cpuMsOf(child.pid) ?? 0;
  });
  return ref;
}

function notePoll(ref) {
  const cpu = cpuMsOf(ref.child.pid);
  if (cpu !== null && ref.child.exitCode === null && ref.child.signalCode === null) ref.last = { cpu, t: nowMs() };
}

async function finishReference(ref, countReports) {
  notePoll(ref);
  const cpu1 = ref.last?.cpu ?? null;
  const t1 = ref.last?.t ?? nowMs();
  // pidstat ending by itself when its processes are gone is normal; an early exit is not.
  const alive = ref.child.exitCode === null && ref.child.signalCode === null;
  const endedEarly = !alive && (ref.child.exitCode !== 0 || t1 - ref.t0 < (SECONDS - 3) * 1000);
  await stop(ref.child);
  const wallMs = t1 - ref.t0;
  const cpuMs = cpu1 === null ? null : cpu1 - ref.cpu0;
  const text = existsSync(ref.outPath) ? readFileSync(ref.outPath, 'utf8') : '';
  const reports = countReports(text);
  return {
    name: ref.name,
    cmd: ref.cmd,
    wallMs,
    cpuMs,
    cpuPct: cpuMs === null ? null : (cpuMs / wallMs) * 100,
    reports,
    achievedHz: reports / (wallMs / 1000),
    error: endedEarly ? `exited early (${ref.child.exitCode ?? ref.child.signalCode}): ${ref.stderr.trim().slice(0, 300)}` : null,
  };
}

const countTop = (text) => (text.match(/^top - /gm) ?? []).length;
const countPidstat = (text) => (text.match(/%usr/g) ?? []).length;

// ---------- the CoreScope child ----------

async function bundle() {
  return bundleForNode({ engineChild: join(ROOT, 'scripts/bench/engineChild.ts'), latency: join(ROOT, 'scripts/bench/latency.ts') }, tmp);
}

function startEngineChild(script, cmd, rateHz, label, env = {}) {
  const nodeArgs = [];
  if (CPU_PROF) {
    mkdirSync(CPU_PROF, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', CPU_PROF, '--cpu-prof-name', `corescope-${label}.cpuprofile`);
  }
  const child = track(
    spawn(process.execPath, [...cliNodeFlags(), ...nodeArgs, script, '--cmd', cmd, '--rate', String(rateHz), '--timeout', String(SECONDS + 60)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, CORESCOPE_WORKLOADS_DIR: join(ROOT, 'workloads'), ...nativeAddonEnv(), ...env },
    }),
  );
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const queue = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    const w = waiters.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  child.once('exit', () => {
    for (const w of waiters.splice(0)) w(null);
  });
  const next = async (ev, timeoutMs) => {
    const msg = queue.length ? queue.shift() : await Promise.race([new Promise((r) => waiters.push(r)), sleep(timeoutMs).then(() => undefined)]);
    if (!msg || msg.ev !== ev) throw new Error(`CoreScope child (${label}): expected "${ev}", got ${msg === undefined ? 'nothing in time' : JSON.stringify(msg)}; stderr: ${stderr.trim().slice(-500)}`);
    return msg;
  };
  const send = (line) => child.stdin.write(`${line}\n`);
  return { child, next, send, get stderr() { return stderr; } };
}

/** One CoreScope run in its own Node process; its CPU is measured from "go" to "finished". */
async function coreScopeRun(script, cmd, rateHz, label, whileRunning, env = {}, seconds = SECONDS) {
  const c = startEngineChild(script, cmd, rateHz, label, env);
  await c.next('ready', 30000);
  const cpu0 = cpuMsOf(c.child.pid);
  const main0 = threadCpuMs(c.child.pid, c.child.pid);
  const t0 = nowMs();
  c.send('go');
  await c.next('started', 30000);
  const started = nowMs();
  // Settled either way, so a failure surfaces after the run instead of as an unhandled rejection.
  const during = (whileRunning ? whileRunning(c.child.pid) : Promise.resolve(null)).then((value) => ({ value }), (error) => ({ error }));
  // The steady state apart: from 5 s in (start-up and V8 compiling the sampling code behind it) to
  // 2 s before the workload ends (before the record is built), on runs long enough to have one.
  const steady = steadyWindow(c.child.pid, started, seconds);
  await c.next('finished', (SECONDS + 90) * 1000);
  const cpu1 = cpuMsOf(c.child.pid);
  const main1 = threadCpuMs(c.child.pid, c.child.pid);
  const t1 = nowMs();
  const settled = await during;
  c.send('ok');
  const result = await c.next('result', 30000);
  await Promise.race([exited(c.child), sleep(5000)]);
  await stop(c.child);
  if (settled.error) throw settled.error;
  const cpuMs = cpu1 - cpu0;
  const wallMs = t1 - t0;
  // The main (JavaScript) thread apart from the rest (the native sampler's thread, libuv; V8 compiles
  // and collects on the main thread under the CLI's --single-threaded).
  const mainMs = main1 - main0;
  // Both in 10 ms ticks, the process's and its main thread's counted apart: where the main thread
  // did nearly all the work (the JavaScript sampler, V8 on one thread) a tick can put it above.
  const otherMs = Math.max(0, cpuMs - mainMs);
  return { label, rateHz, cpuMs, wallMs, cpuPct: (cpuMs / wallMs) * 100, mainPct: (mainMs / wallMs) * 100, otherPct: (otherMs / wallMs) * 100, steady: await steady, result, during: settled.value };
}

/**
 * CPU of `pid` between 5 s after `startedMs` and 2 s before the workload's end, and of its native
 * sampling thread alone; null on runs shorter than 10 s. From each thread's schedstat (ns): over a
 * window of a dozen seconds, 10 ms ticks would be a fifth of what is measured.
 */
async function steadyWindow(pid, startedMs, seconds) {
  if (seconds < 10) return null;
  await sleep(Math.max(0, startedMs + 5000 - nowMs()));
  const cpu0 = threadsCpuMs(pid);
  const t0 = nowMs();
  await sleep(Math.max(0, startedMs + (seconds - 2) * 1000 - nowMs()));
  const cpu1 = threadsCpuMs(pid);
  const t1 = nowMs();
  if (!cpu0 || !cpu1) return null;
  const cpuMs = cpu1.totalMs - cpu0.totalMs;
  const nativeMs = cpu0.nativeMs === null || cpu1.nativeMs === null ? null : cpu1.nativeMs - cpu0.nativeMs;
  const wallMs = t1 - t0;
  return { cpuMs, nativeMs, wallMs, cpuPct: (cpuMs / wallMs) * 100, nativePct: nativeMs === null ? null : (nativeMs / wallMs) * 100 };
}

/** The CPU (ms, ns precision) of every thread of `pid` now, summed, and of its native sampling thread ("corescope-smp"; null without one). Threads that ended before are not in it: for a window in which none ends. */
function threadsCpuMs(pid) {
  try {
    let totalMs = 0;
    let nativeMs = null;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const ms = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      totalMs += ms;
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'corescope-smp') nativeMs = ms;
    }
    return { totalMs, nativeMs };
  } catch {
    return null;
  }
}

// ---------- phases ----------

/** The bench tree; with more threads each one burns as often over a longer period, so the tree's CPU stays ~0.3 core. */
function workloadCmd(seconds, threads = TREE.threads) {
  return `exec ${PYTHON} -S ${WORKLOAD} ${TAG} ${seconds} ${TREE.processes} ${threads} 0.3 ${(50 * threads) / TREE.threads}`;
}

/** Section 4: the JavaScript sampler on the same tree at both rates, then the cost by thread count, native and JavaScript. */
async function samplersPhase(scripts) {
  const js = { CORESCOPE_SAMPLER: 'js' };
  const jsRuns = [];
  for (const rateHz of [20, 100]) {
    log(`JavaScript sampler (CORESCOPE_SAMPLER=js) at ${rateHz} Hz on ${TREE.processes} processes / ${TREE.threads} threads for ${SECONDS} s…`);
    jsRuns.push(await coreScopeRun(scripts.engineChild, workloadCmd(SECONDS), rateHz, `js-${rateHz}hz`, () => waitForTree(), js));
  }
  // As long as section 1's runs: the start-up of 2,000 threads is a cost per run, spread over the
  // same length of run as at 50; the steady state is shown apart.
  const scaleSeconds = SECONDS;
  const scale = [];
  for (const threads of SCALE_THREADS) {
    const want = { processes: TREE.processes, threads };
    for (const [sampler, env] of [['native', {}], ['js', js]]) {
      log(`cost by thread count: ${sampler} sampler at 20 Hz on ${threads} threads for ${scaleSeconds} s…`);
      const run = await coreScopeRun(scripts.engineChild, workloadCmd(scaleSeconds, threads), 20, `${sampler}-${threads}t`, () => waitForTree(30000, want), env, scaleSeconds);
      scale.push({ threads, sampler, run });
    }
  }
  return { jsRuns, scale, scaleSeconds };
}

/** CoreScope at rateHz on the workload tree, with pidstat and top following the same pids. */
async function samplerCpuPhase(scripts, rateHz, refs) {
  log(`sampler CPU at ${rateHz} Hz: CoreScope + ${refs.map((r) => r.name).join(' + ') || 'no reference'} on ${TREE.processes} processes / ${TREE.threads} threads for ${SECONDS} s…`);
  return coreScopeRun(scripts.engineChild, workloadCmd(SECONDS), rateHz, `${rateHz}hz`, async () => {
    const tree = await waitForTree();
    const list = tree.pids.join(',');
    const running = refs.map((r) => startReference(r.name, r.cmd, r.args(list)));
    // The keeper is CoreScope's too (it waits in wait4); read its CPU shortly before the end.
    const keeperPid = ppidOf(tree.pids[0]);
    const keeperArgv = keeperPid ? argvOf(keeperPid) ?? [] : [];
    const isKeeper = keeperArgv.some((a) => a.endsWith('keeper.py'));
    let keeperCpuMs = null;
    const keeperTimer = isKeeper ? setTimeout(() => (keeperCpuMs = cpuMsOf(keeperPid)), Math.max(0, SECONDS * 1000 - 2500)) : null;
    // Stop the references as soon as the workload is gone. pidstat exits by itself once its pids
    // are gone (and its CPU can no longer be read), so keep the last reading of each one.
    while (workloadPids().length) {
      for (const r of running) notePoll(r);
      await sleep(100);
    }
    if (keeperTimer) clearTimeout(keeperTimer);
    const results = [];
    for (const r of running) results.push(await finishReference(r, r.name.startsWith('top') ? countTop : countPidstat));
    return { tree, references: results, keeper: isKeeper ? { pid: keeperPid, cpuMs: keeperCpuMs } : null };
  });
}

async function latencyPhase(scripts, rates, seconds) {
  log(`sample latency at ${rates.join(' and ')} Hz (${seconds} s each) on a directly started tree…`);
  const duration = rates.length * (seconds + Math.min(4, seconds)) + 8;
  const wl = track(spawn(PYTHON, ['-S', WORKLOAD, TAG, String(duration), String(TREE.processes), String(TREE.threads)], { stdio: 'ignore', detached: true }));
  try {
    const tree = await waitForTree();
    const h = track(spawn(process.execPath, [scripts.latency, '--pid', String(wl.pid), '--rates', rates.join(','), '--seconds', String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    h.stdout.on('data', (c) => (out += c));
    h.stderr.on('data', (c) => (err += c));
    await exited(h);
    if (h.exitCode !== 0) throw new Error(`latency harness failed (${h.exitCode}): ${err.trim().slice(-500)}`);
    return { tree, ...JSON.parse(out) };
  } finally {
    try {
      process.kill(-wl.pid, 'SIGTERM');
    } catch {
      // already ended by itself
    }
    await Promise.race([exited(wl), sleep(3000)]);
    await stop(wl, 'SIGKILL');
  }
}

function busyCmd() {
  const loop = `/usr/bin/python3 -S -c 'n = 0\nfor i in range(${BUSY_ITERATIONS}): n += i' ${TAG}`;
  return `${loop} & ${loop} & wait`;
}

async function timeRun(cmd) {
  const child = track(spawn('/usr/bin/time', ['-f', '%U %S %e', '/bin/sh', '-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  await exited(child);
  const last = err.trim().split('\n').pop() ?? '';
  const [u, s, e] = last.split(/\s+/).map(Number);
  if (!Number.isFinite(u) || !Number.isFinite(s)) throw new Error(`/usr/bin/time gave no figures: ${err.trim().slice(-300)}`);
  return { userMs: u * 1000, systemMs: s * 1000, totalMs: (u + s) * 1000, wallMs: e * 1000 };
}

async function accuracyPhase(scripts) {
  const cmd = busyCmd();
  log(`accuracy: 2 busy-loop processes (${BUSY_ITERATIONS / 1e6} M iterations each), CoreScope vs /usr/bin/time, alternating…`);
  const time = [];
  const cs = [];
  time.push(await timeRun(cmd));
  cs.push((await coreScopeRun(scripts.engineChild, cmd, 20, 'accuracy-1')).result);
  cs.push((await coreScopeRun(scripts.engineChild, cmd, 20, 'accuracy-2')).result);
  time.push(await timeRun(cmd));
  // The same execution measured by both: CoreScope profiles `/usr/bin/time sh -c CMD`.
  log('accuracy: CoreScope profiling /usr/bin/time itself (one execution, both figures)…');
  const nestedCmd = `exec /usr/bin/time -f 'TIME %U %S %e' /bin/sh -c '${cmd.replace(/'/g, `'\\''`)}'`;
  const nested = await coreScopeRun(scripts.engineChild, nestedCmd, 20, 'accuracy-nested');
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(nested.result.stderrTail ?? '');
  const nestedTime = m ? { totalMs: (Number(m[1]) + Number(m[2])) * 1000, wallMs: Number(m[3]) * 1000 } : null;
  return { cmd, time, cs, nested: { cs: nested.result, time: nestedTime } };
}

// ---------- report ----------

const f1 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(1));
const f2 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));
const f0 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(0));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const relPct = (a, b) => ((a - b) / b) * 100;

async function machine() {
  const [cpu, os] = await Promise.all([si.cpu(), si.osInfo()]);
  let model = `${cpu.manufacturer} ${cpu.brand}`.trim();
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() || model;
  } catch {
    // not Linux: keep systeminformation's name
  }
  return {
    cpu: model,
    cores: `${cpu.physicalCores} physical / ${cpu.cores} logical (os.cpus(): ${cpus().length})`,
    speed: cpu.speed ? `${cpu.speed} GHz` : 'clock not reported',
    os: `${os.distro} ${os.release}`.trim(),
    kernel: os.kernel || release(),
    node: process.version,
    python: spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout.trim(),
  };
}

function toolVersion(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return null;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim())?.trim() ?? '';
}

function render(ctx) {
  const { mach, date, loadBefore, loadAfter, cpu20, cpu100, latency, accuracy, missing, tools, leftovers } = ctx;
  const L = [];
  L.push('# CoreScope benchmarks', '');
  L.push(`Written by \`npm run bench\` (scripts/bench.mjs) on ${date}. All figures below come from that one run; re-run it to refresh them.`, '');
  L.push('## Machine', '');
  L.push('| | |', '| --- | --- |');
  L.push(`| CPU | ${mach.cpu}, ${mach.speed} |`, `| Cores | ${mach.cores} |`, `| OS / kernel | ${mach.os} / ${mach.kernel} |`);
  L.push(`| Node.js | ${mach.node} |`, `| Python (workloads) | ${mach.python} |`);
  L.push(`| Tools | ${tools.map((t) => `${t.name}: ${t.version ?? '**missing**'}`).join('; ')} |`);
  L.push(`| Load average (1/5/15 min) | before ${loadBefore.map(f2).join(' / ')}, after ${loadAfter.map(f2).join(' / ')} (the machine is shared: other work adds noise) |`);
  L.push('');
  for (const m of missing) L.push(`> **${m.tool} is missing**: ${m.what} was skipped. Install it with \`${m.install}\` and run \`npm run bench\` again.`, '');

  L.push('## Summary', '');
  L.push('Rates are what each sampler achieved, not what it was asked for: when the machine is busy (see the load average above) every sampler falls behind, and "CPU per sample" is the figure that compares them at unequal rates.', '');
  L.push('| Measure | Result | Target | Verdict |', '| --- | --- | --- | --- |');
  L.push(...summaryRows(ctx));
  for (const run of [cpu20, cpu100]) {
    if (!run) continue;
    const target = TARGETS[run.rateHz];
    const refs = (run.during?.references ?? []).map((r) => `${r.name === 'top-100' ? 'top -d 0.01' : r.name} ${f2(r.cpuPct)} % at ${f1(r.achievedHz)} Hz`).join(', ');
    const steady = run.steady ? `; steady state ${f2(run.steady.cpuPct)} %` : '';
    L.push(`| CoreScope sampler CPU at ${run.rateHz} Hz, ${TREE.processes} processes / ${TREE.threads} threads | **${f2(run.cpuPct)} %** of one core over the whole run${steady}${refs ? ` (${refs})` : ''} | ≤ ${target} % | ${run.cpuPct <= target ? 'PASS' : '**FAIL**'} |`);
  }
  if (latency) {
    L.push(`| One sample (core + tree read), p50 / p99 | ${latency.results.map((r) => `${r.rateHz} Hz: ${f0(r.total.p50)} / ${f0(r.total.p99)} µs`).join('; ')} | — | — |`);
  }
  if (accuracy?.nested.time) {
    const d = relPct(accuracy.nested.cs.cpu.totalMs, accuracy.nested.time.totalMs);
    L.push(`| CPU total of a busy-loop command vs /usr/bin/time (same execution) | ${d >= 0 ? '+' : ''}${f2(d)} % (${f0(accuracy.nested.cs.cpu.totalMs)} vs ${f0(accuracy.nested.time.totalMs)} ms) | within ±${ACCURACY_TARGET_PCT} % | ${Math.abs(d) <= ACCURACY_TARGET_PCT ? 'PASS' : '**FAIL**'} |`);
  }
  L.push('');

  L.push('## 1. The sampler\'s own CPU', '');
  L.push(`Workload: \`scripts/bench/workload.py\`, ${TREE.processes} Python processes with ${TREE.threads} threads in all (${cpu20?.during?.tree.threads ?? '?'} seen), each extra thread burning ~0.3 ms of CPU every 50 ms and sleeping the rest, ${SECONDS} s, ending by itself.`);
  L.push('Every sampler follows that same tree at the same time. Each one\'s CPU is utime+stime of its own process from `/proc/<pid>/stat`, read when it starts sampling and again when the workload ends, divided by that wall time (100 % = one core; resolution one 10 ms tick, i.e. ±0.05 % over 20 s).');
  L.push(`CoreScope runs in a dedicated Node process (\`scripts/bench/engineChild.ts\`, bundled with esbuild) that does only \`createEngine().startRun()\` for \`--cmd\` and waits for the record, as the CLI does, in a Node started with the CLI's flags (\`${cliNodeFlags().join(' ')}\`, from the first line of \`bin/corescope.mjs\`); its Node start-up and the final JSON printing are outside the window, spawning the workload, every sample, the live batches and building the record are inside.`, '');
  L.push('| Sampler | Rate asked | Rate achieved | CPU (ms) | Wall (s) | CPU per sample (µs) | CPU, % of one core | Target | Verdict |');
  L.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const run of [cpu20, cpu100]) {
    if (!run) continue;
    const target = TARGETS[run.rateHz];
    const achieved = run.result.samples / (run.result.spanMs / 1000);
    const pass = run.cpuPct <= target;
    L.push(`| **CoreScope** (Node child, measured from /proc; ${samplerOf(run)} sampler, jitter p99 ${f2(jitterOf(run)?.p99Ms)} ms) | ${run.rateHz} Hz | ${f1(achieved)} Hz | ${f0(run.cpuMs)} | ${f1(run.wallMs / 1000)} | ${f0((run.cpuMs * 1000) / Math.max(1, achieved * (run.wallMs / 1000)))} | **${f2(run.cpuPct)}** | ≤ ${target} % | ${pass ? 'PASS' : `**FAIL** (${f1(run.cpuPct / target)}× the target)`} |`);
    L.push(`| ↳ of which the main thread (JavaScript, and V8 compiling and collecting: \`--single-threaded\`) / the other threads (the native sampler's, libuv) | | | | | | ${f2(run.mainPct)} / ${f2(run.otherPct)} | | |`);
    if (run.steady) L.push(`| ↳ steady state: from 5 s in to 2 s before the workload's end (no start-up, no record to build; each thread's schedstat) | ${run.rateHz} Hz | | ${f1(run.steady.cpuMs)} | ${f1(run.steady.wallMs / 1000)} | ${f0((run.steady.cpuMs * 1000) / Math.max(1, achieved * (run.steady.wallMs / 1000)))} | ${f2(run.steady.cpuPct)} | | |`);
    if (run.steady?.nativeMs != null) L.push(`| ↳ of which the native sampling thread alone (wake-up on its deadline, the reads, the records) | ${run.rateHz} Hz | | ${f1(run.steady.nativeMs)} | ${f1(run.steady.wallMs / 1000)} | ${f0((run.steady.nativeMs * 1000) / Math.max(1, achieved * (run.steady.wallMs / 1000)))} | ${f2(run.steady.nativePct)} | | |`);
    L.push(`| ↳ CoreScope's own \`profilerCpuPct\` in the run's result | ${run.rateHz} Hz | | | | | ${f2(run.result.profilerCpuPct)} | | |`);
    if (run.during?.keeper) L.push(`| ↳ CoreScope's keeper (Python, waits in wait4; CPU from start to ~2.5 s before the end) | — | — | ${f0(run.during.keeper.cpuMs)} | | | ${f2(run.during.keeper.cpuMs === null ? null : (run.during.keeper.cpuMs / (SECONDS * 1000 - 2500)) * 100)} | | |`);
    for (const ref of run.during?.references ?? []) {
      L.push(`| \`${ref.cmd.replace(/-p [\d,]+/, '-p PIDS')}\` | ${ref.name.includes('100') ? '100 Hz' : ref.name.startsWith('top') ? '20 Hz' : '1 Hz'} | ${f1(ref.achievedHz)} Hz | ${f0(ref.cpuMs)} | ${f1(ref.wallMs / 1000)} | ${f0(ref.cpuMs === null ? null : (ref.cpuMs * 1000) / Math.max(1, ref.reports))} | ${f2(ref.cpuPct)} | | ${ref.error ? `error: ${ref.error}` : ''} |`);
    }
  }
  L.push('');
  if (cpu20 && cpu100) {
    L.push(`CoreScope's run saw ${cpu20.result.processes} processes and ${cpu20.result.threads} threads at 20 Hz (${cpu100.result.processes} / ${cpu100.result.threads} at 100 Hz). \`profilerCpuPct\` is what a run reports about itself (process.cpuUsage() of the whole Node process from spawn to the end of the run, over the run's span); it should agree with the /proc figure.`, '');
  }

  L.push('## 2. Latency of one sample', '');
  if (latency) {
    L.push(`\`scripts/bench/latency.ts\` builds a \`CoreSampler\` and a \`TreeSampler\` (slow passes once a second and stat refreshes four times a second, as \`Run\` does) directly on a running workload tree (${latency.tree.pids.length} processes, ${latency.tree.threads} threads), samples on a timer for the given time at each rate and times every \`cores.sample()\` + \`tree.sample()\` pair with \`process.hrtime.bigint()\`. The first sample (which opens every file) is shown apart. Microseconds:`, '');
    L.push('| Rate | Samples | p50 | p99 | max | mean | core read p50 | tree read p50 | "slow" samples p50 (readdir and children of every thread when a new pid appeared) | first sample | bare loop CPU, % of one core | floor: timer + the same reads only, % of one core | empty Node timer CPU, % of one core |');
    L.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of latency.results) {
      L.push(`| ${r.rateHz} Hz (got ${f1(r.achievedHz)}) | ${r.total.n} | **${f0(r.total.p50)}** | **${f0(r.total.p99)}** | ${f0(r.total.max)} | ${f0(r.total.mean)} | ${f0(r.core.p50)} | ${f0(r.tree.p50)} | ${f0(r.slowSamples.p50)} (${r.slowSamples.n} of them) | ${f0(r.firstSampleUs)} | ${f2(r.bareLoopCpuPct)} | ${f2(r.readFloorCpuPct)} (${r.floorFiles} files) | ${f2(r.emptyTimerCpuPct)} |`);
    }
    L.push('');
    L.push('"Bare loop CPU" is the harness process\'s own CPU while it did nothing but these samples on a timer: what a run at that rate costs before its store, windows and live batches. "Empty Node timer" is the same process running only the timer at that rate, with no sampling: the floor under any sampler loop written in Node on this machine. "Floor: timer + the same reads only" wakes on the same timer and reads /proc/stat and every thread\'s schedstat from open descriptors, with no parsing and no store: the least any sampler in Node that reads every thread at every sample must spend here. The targets (≤ 1 % at 20 Hz, ≤ 3 % at 100 Hz) are to be read against it.', '');
    const r100 = latency.results.find((r) => r.rateHz === 100);
    if (r100) {
      const fast = r100.fastSamples.p50;
      L.push(`Per thread, a steady-state sample costs about ${f1((fast - r100.core.p50) / latency.tree.threads)} µs of wall time (tree read p50 of the ordinary samples over ${latency.tree.threads} threads); a "slow" sample (once a second at any rate) costs ${f1(r100.slowSamples.p50 / Math.max(1, fast))}× an ordinary one. Wall times include any preemption by other work on the machine.`, '');
    }
  } else {
    L.push('Not measured (see above).', '');
  }

  L.push('## 3. Accuracy of the CPU total', '');
  if (accuracy) {
    const timeMean = mean(accuracy.time.map((t) => t.totalMs));
    const csMean = mean(accuracy.cs.map((r) => r.cpu.totalMs));
    const sampledMean = mean(accuracy.cs.map((r) => r.sampledThreadCpuMs));
    const diff = relPct(csMean, timeMean);
    const timeSpread = relPct(Math.max(...accuracy.time.map((t) => t.totalMs)), Math.min(...accuracy.time.map((t) => t.totalMs)));
    const n = accuracy.nested;
    L.push(`Command (run by \`sh -c\`): two \`python3 -c\` loops of ${BUSY_ITERATIONS / 1e6} M iterations in parallel, then \`wait\`. CPU in ms.`, '');
    if (n.time) {
      const d = relPct(n.cs.cpu.totalMs, n.time.totalMs);
      L.push('**One execution measured by both.** CoreScope (20 Hz) profiles `/usr/bin/time -f \'%U %S %e\' sh -c CMD`, so /usr/bin/time and CoreScope report on the very same processes (CoreScope\'s figure also holds /usr/bin/time\'s own few ms):', '');
      L.push('| /usr/bin/time user+sys | CoreScope `cpu.totalMs` (keeper getrusage) | difference | CoreScope sum of sampled thread CPU (schedstat) | difference | Target | Verdict |');
      L.push('| --- | --- | --- | --- | --- | --- | --- |');
      L.push(`| ${f0(n.time.totalMs)} | ${f0(n.cs.cpu.totalMs)} | **${d >= 0 ? '+' : ''}${f2(d)} %** | ${f0(n.cs.sampledThreadCpuMs)} | ${f2(relPct(n.cs.sampledThreadCpuMs, n.time.totalMs))} % | within ±${ACCURACY_TARGET_PCT} % | ${Math.abs(d) <= ACCURACY_TARGET_PCT ? 'PASS' : '**FAIL**'} |`);
      L.push('');
    }
    L.push(`**Separate executions.** /usr/bin/time and CoreScope (20 Hz) each ran the command twice, alternating (time, CoreScope, CoreScope, time). The same fixed work does not always cost the same CPU on a shared machine: /usr/bin/time's own two runs differ by ${f1(timeSpread)} %, so this comparison measures that noise as much as CoreScope.`, '');
    L.push('| Run | /usr/bin/time user+sys | CoreScope `cpu.totalMs` | CoreScope sampled thread sum | wall (s) |');
    L.push('| --- | --- | --- | --- | --- |');
    for (let i = 0; i < Math.max(accuracy.time.length, accuracy.cs.length); i++) {
      const t = accuracy.time[i];
      const c = accuracy.cs[i];
      L.push(`| ${i + 1} | ${t ? f0(t.totalMs) : ''} | ${c ? f0(c.cpu.totalMs) : ''} | ${c ? f0(c.sampledThreadCpuMs) : ''} | time ${t ? f2(t.wallMs / 1000) : ''}, CoreScope ${c ? f2(c.wallMs / 1000) : ''} |`);
    }
    L.push(`| **mean** | **${f0(timeMean)}** | **${f0(csMean)}** (${diff >= 0 ? '+' : ''}${f2(diff)} %) | ${f0(sampledMean)} (${f2(relPct(sampledMean, timeMean))} %) | |`);
    L.push('');
    L.push('`cpu.totalMs` is the keeper\'s getrusage(RUSAGE_CHILDREN), the same source as /usr/bin/time; the sampled thread sum is what the per-thread charts add up to (it misses `sh` and the CPU between the last sample and each exit).', '');
  } else {
    L.push('Not measured (see above).', '');
  }

  L.push(...renderSamplers(ctx));

  L.push('## How to read and re-run', '');
  L.push('- `npm run bench` takes about seven minutes and writes this file; it needs `sysstat` (pidstat), `procps` (top) and `time` from apt. A missing tool is named at the top and its part skipped.');
  L.push('- `BENCH_SECONDS=10 npm run bench` shortens the workload; `BENCH_CPU_PROF=/tmp/prof npm run bench` runs each CoreScope child under `node --cpu-prof` (profiling adds its own CPU: do not use those figures for the table).');
  L.push('- pidstat takes whole-second intervals only, so it is compared at 1 Hz; top is the reference at 20 Hz (and at `-d 0.01` near 100 Hz, where it reaches the rate shown).');
  L.push(`- Processes left behind after the bench: ${leftovers.length ? `**${leftovers.join(', ')}**` : 'none (checked with pgrep)'}.`);
  L.push('');
  return L.join('\n');
}

// ---------- main ----------

async function cleanup() {
  for (const child of [...started]) await stop(child, 'SIGKILL');
  for (const pid of taggedPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}

function leftoverCheck() {
  const out = [];
  const byTag = spawnSync('pgrep', ['-f', TAG], { encoding: 'utf8' }).stdout.trim();
  if (byTag) out.push(...byTag.split('\n').map((p) => `${p} (${(argvOf(p) ?? []).join(' ').slice(0, 80)})`));
  const children = spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).stdout.trim();
  if (children) out.push(...children.split('\n').map((p) => `${p} (child: ${(argvOf(p) ?? []).join(' ').slice(0, 80)})`));
  return out;
}

async function main() {
  const date = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const loadBefore = loadavg();
  const hasPidstat = have('pidstat', ['-V']);
  const hasTop = have('top', ['-h']);
  const hasTime = existsSync('/usr/bin/time');
  const missing = [];
  if (!hasPidstat) missing.push({ tool: 'pidstat', what: 'the pidstat reference', install: 'apt-get install -y sysstat' });
  if (!hasTop) missing.push({ tool: 'top', what: 'the top reference', install: 'apt-get install -y procps' });
  if (!hasTime) missing.push({ tool: '/usr/bin/time', what: 'the accuracy check (part 3)', install: 'apt-get install -y time' });
  for (const m of missing) log(`${m.tool} is missing: ${m.what} will be skipped. Install it with: ${m.install}`);
  const tools = [
    { name: 'pidstat', version: hasPidstat ? toolVersion('pidstat', ['-V']) : null },
    { name: 'top', version: hasTop ? toolVersion('top', ['-V']) : null },
    { name: '/usr/bin/time', version: hasTime ? toolVersion('/usr/bin/time', ['--version']) : null },
  ];
  const mach = await machine();
  log(`machine: ${mach.cpu}, ${mach.cores}, kernel ${mach.kernel}, Node ${mach.node}`);

  const scripts = await bundle();
  const refs20 = [];
  const refs100 = [];
  if (hasPidstat) {
    const pidstat = { name: 'pidstat', cmd: 'pidstat', args: (pids) => ['-t', '-p', pids, '1'] };
    refs20.push(pidstat);
    refs100.push(pidstat);
  }
  if (hasTop) {
    refs20.push({ name: 'top', cmd: 'top', args: (pids) => ['-b', '-H', '-d', '0.05', '-p', pids] });
    refs100.push({ name: 'top-100', cmd: 'top', args: (pids) => ['-b', '-H', '-d', '0.01', '-p', pids] });
  }

  const cpu20 = await samplerCpuPhase(scripts, 20, refs20);
  log(`CoreScope at 20 Hz: ${f2(cpu20.cpuPct)} % of one core (profilerCpuPct ${cpu20.result.profilerCpuPct})`);
  const cpu100 = await samplerCpuPhase(scripts, 100, refs100);
  log(`CoreScope at 100 Hz: ${f2(cpu100.cpuPct)} % of one core (profilerCpuPct ${cpu100.result.profilerCpuPct})`);
  const latency = await latencyPhase(scripts, [20, 100], Math.max(3, Math.round(SECONDS / 2.5)));
  for (const r of latency.results) log(`latency at ${r.rateHz} Hz: p50 ${f0(r.total.p50)} µs, p99 ${f0(r.total.p99)} µs`);
  const accuracy = hasTime ? await accuracyPhase(scripts) : null;
  const samplers = await samplersPhase(scripts);
  return { date, loadBefore, mach, tools, missing, cpu20, cpu100, latency, accuracy, samplers };
}

let ctx;
try {
  ctx = await main();
} finally {
  await cleanup();
}
await sleep(200);
const leftovers = leftoverCheck();
if (leftovers.length) log(`processes left behind: ${leftovers.join('; ')}`);
else log('no process left behind (pgrep by tag and by parent)');
const text = render({ ...ctx, loadAfter: loadavg(), leftovers }).replace(/^# CoreScope benchmarks\n+/, '');
log(`wrote the engine section of ${writeBenchSection('engine-bench', text)}`);
