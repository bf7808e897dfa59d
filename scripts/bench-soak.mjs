#!/usr/bin/env node
// `npm run bench:soak`: the bounded soak test of issue 7 ("Long runs"). One 10-minute run at
// 100 Hz of scripts/bench/workload.py (8 processes, 50 threads in all) through the engine, in a
// dedicated Node process (scripts/bench-soak/soakChild.ts, bundled with esbuild), while this
// process reads that profiler process's memory (VmRSS, VmHWM in /proc/<pid>/status) every few
// seconds. Afterwards:
//   - memory: the profiler's RSS stayed under RSS_BOUND_MB during the whole run, including
//     building and saving the session;
//   - no sample dropped: every sample the engine took reached the live stream, the record and
//     the saved session (counts and checksums of every column), and how well the sampler kept
//     its rate (achieved samples against span × rate, the largest gap between two samples);
//   - the saved session (.session.json.gz, written by saveSession as `corescope run --out` does)
//     reloads identically: loadSession in a fresh process, compared field by field with the
//     record the profiler also wrote as plain JSON.
// Results go into BENCHMARKS.md between <!-- soak:start --> and <!-- soak:end --> (only there).
// Not part of `npm test`. Exit code: 0 when every verdict passes, 1 otherwise (the file is
// written either way), 2 on bad arguments. Everything it starts is ended before it exits.
//
// Options: --minutes N (default 10; e.g. 0.5 for a trial), --rate HZ (default 100),
//          --every S (RSS sampling interval, default 2), --no-write (print, leave BENCHMARKS.md).
import { cliNodeFlags } from './lib/cliNodeFlags.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { writeBenchSection } from './lib/benchmarksFile.mjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './lib/bundleForNode.mjs';
import { nativeAddonEnv } from './lib/nativeAddonEnv.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKLOAD = join(ROOT, 'scripts', 'bench', 'workload.py');
const BENCHMARKS = join(ROOT, 'BENCHMARKS.md');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const TREE = { processes: 8, threads: 50 };
/** The documented bound on the profiler process's resident memory during a soak run. */
const RSS_BOUND_MB = 300;
/** Sampler timing: at least this share of the ticks the span asked for… */
const RATE_TARGET = 0.99;
/** …and no gap between two consecutive samples longer than this many periods. */
const GAP_TARGET_PERIODS = 10;

function usage(msg) {
  process.stderr.write(`bench:soak: ${msg}\nusage: npm run bench:soak -- [--minutes N] [--rate HZ] [--every S] [--no-write]\n`);
  process.exit(2);
}

function option(name, fallback, check) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!check(v)) usage(`${name} ${process.argv[i + 1] ?? ''} is not allowed`);
  return v;
}
for (const a of process.argv.slice(2)) if (a.startsWith('--') && !['--minutes', '--rate', '--every', '--no-write'].includes(a)) usage(`unknown option ${a}`);
const MINUTES = option('--minutes', 10, (v) => Number.isFinite(v) && v >= 0.1 && v <= 120);
const RATE = option('--rate', 100, (v) => Number.isFinite(v) && v >= 1 && v <= 100);
const EVERY_S = option('--every', 2, (v) => Number.isFinite(v) && v >= 0.2 && v <= 60);
const WRITE = !process.argv.includes('--no-write');
const DURATION_S = Math.round(MINUTES * 60 * 10) / 10;

const TAG = `corescope-soak-${process.pid}-${Date.now().toString(36)}`;
const tmp = mkdtempSync(join(tmpdir(), 'corescope-soak-'));
const started = new Set();
const log = (msg) => process.stderr.write(`bench:soak: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');

// ---------- processes ----------

function memOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

function taggedPids() {
  const out = spawnSync('pgrep', ['-f', TAG], { encoding: 'utf8' }).stdout.trim();
  return out ? out.split('\n').map(Number).filter((p) => p !== process.pid) : [];
}

function childPids() {
  const out = spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).stdout.trim();
  return out ? out.split('\n').map(Number) : [];
}

async function cleanup() {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const pid of taggedPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await sleep(100);
  rmSync(tmp, { recursive: true, force: true });
}

// Ctrl-C or a kill of this script: end the child (its keeper then ends the workload) and go.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().then(() => process.exit(130));
  });
}

/** Starts a bundled child; resolves with its JSON lines and exit status. */
function runChild(script, args, onLine) {
  const child = spawn(process.execPath, [...cliNodeFlags(), script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORESCOPE_WORKLOADS_DIR: join(ROOT, 'workloads'), ...nativeAddonEnv() } });
  started.add(child);
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-8000);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      stderr += `${line}\n`;
      return;
    }
    lines.push(msg);
    onLine?.(msg);
  });
  const done = new Promise((resolveDone) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      // Let the last lines drain.
      setTimeout(() => resolveDone({ code, signal, lines, stderr }), 50);
    });
  });
  return { child, done };
}

async function bundle() {
  return (await bundleForNode({ soakChild: join(ROOT, 'scripts', 'bench-soak', 'soakChild.ts') }, tmp)).soakChild;
}

// ---------- the soak ----------

async function soak(script) {
  const sessionPath = join(tmp, 'soak.session.json.gz');
  const recordPath = join(tmp, 'soak.record.json');
  const cmd = `exec ${PYTHON} -S ${WORKLOAD} ${TAG} ${DURATION_S} ${TREE.processes} ${TREE.threads}`;
  const timeoutS = DURATION_S + 120;
  const memory = []; // { s, rss, hwm, phase }
  let phase = 'start-up';
  const marks = {};
  const t0 = Date.now();
  const { child, done } = runChild(script, ['run', '--cmd', cmd, '--rate', String(RATE), '--timeout', String(timeoutS), '--session', sessionPath, '--record', recordPath, '--state', join(tmp, 'state')], (msg) => {
    if (msg.ev === 'started') phase = 'recording';
    else if (msg.ev === 'recorded') phase = 'building + saving the session';
    else if (msg.ev === 'saved') phase = 'writing the plain-JSON copy (check only)';
    else if (msg.ev === 'dumped') phase = 'reporting';
    if (msg.at) marks[msg.ev] = (msg.at - t0) / 1000;
    if (msg.ev === 'started') log(`recording ${DURATION_S} s at ${RATE} Hz (child pid ${child.pid})`);
    if (msg.ev === 'recorded') log(`recorded ${msg.samples} samples; saving the session`);
  });
  let lastLog = 0;
  const sampleMem = () => {
    const m = memOf(child.pid);
    if (!m || !(m.rss > 0)) return;
    const s = (Date.now() - t0) / 1000;
    memory.push({ s, rss: m.rss, hwm: m.hwm, phase, load1: loadavg()[0] });
    if (s - lastLog >= 60) {
      lastLog = s;
      log(`${f1(s)} s: profiler RSS ${f1(m.rss / MB)} MB (${phase})`);
    }
  };
  const timer = setInterval(sampleMem, EVERY_S * 1000);
  // Also a reading at each phase change, so short phases (the save) are not missed.
  const phaseWatch = setInterval(() => {
    const last = memory[memory.length - 1];
    if (last && last.phase !== phase) sampleMem();
  }, 50);
  // VmHWM is read once more just before the child exits: it catches peaks between readings.
  let finalHwm = 0;
  const hwmWatch = setInterval(() => {
    const m = memOf(child.pid);
    if (m && Number.isFinite(m.hwm)) finalHwm = Math.max(finalHwm, m.hwm);
  }, 200);
  const out = await done;
  clearInterval(timer);
  clearInterval(phaseWatch);
  clearInterval(hwmWatch);
  const result = out.lines.find((l) => l.ev === 'result');
  const saved = out.lines.find((l) => l.ev === 'saved');
  if (out.code !== 0 || !result) throw new Error(`the profiler child failed (exit ${out.code ?? out.signal}): ${out.stderr.slice(-2000)}`);
  log('verifying the saved session in a fresh process');
  const v = await runChild(script, ['verify', '--session', sessionPath, '--record', recordPath]).done;
  const verify = v.lines.find((l) => l.ev === 'verify');
  if (v.code !== 0 || !verify) throw new Error(`the verify step failed (exit ${v.code ?? v.signal}): ${v.stderr.slice(-2000)}`);
  return { result, verify, memory, marks, finalHwm, sessionBytes: saved?.bytes ?? 0, cmd };
}

// ---------- report ----------

function machine() {
  let cpu = 'unknown CPU';
  let os = 'unknown OS';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ?? cpu;
  } catch {
    // keep
  }
  try {
    os = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    // keep
  }
  const python = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return `${cpu}, ${cpus().length} logical cores; ${os}, kernel ${release()}; Node ${process.version}; ${python}`;
}

/** Bytes the sample store needs for this run (scripts' view of src/engine/store/sampleStore.ts). */
function storeEstimate(samples, coreCount, threads) {
  const CHUNK = 4096;
  const chunks = Math.ceil(samples / CHUNK);
  return chunks * CHUNK * (8 + coreCount * 3 * 2 + 4 + threads * 2 * 2);
}

function analyse(ctx) {
  const { result: r, verify: v, memory, finalHwm } = ctx;
  const recording = memory.filter((m) => m.phase === 'recording');
  const peakOf = (rows) => rows.reduce((mx, m) => Math.max(mx, m.rss), 0);
  // The profiler's own peak: VmHWM read by the profiler right after saving the session (so it
  // covers recording, building and saving), and every reading taken up to then. The plain-JSON
  // copy written afterwards is this check's own overhead and is reported apart.
  const ownPhases = new Set(['start-up', 'recording', 'building + saving the session']);
  const peakRss = Math.max(peakOf(memory.filter((m) => ownPhases.has(m.phase))), r.memoryAtSave?.hwmBytes ?? NaN);
  const peakWithCheck = Math.max(peakOf(memory), finalHwm);
  const peakRecording = peakOf(recording);
  const afterFirstMinute = recording.filter((m) => m.s >= (recording[0]?.s ?? 0) + Math.min(60, DURATION_S / 4));
  const firstSteady = afterFirstMinute[0];
  const lastRec = recording[recording.length - 1];
  const growthMb = firstSteady && lastRec ? (lastRec.rss - firstSteady.rss) / MB : NaN;
  const growthPerMin = firstSteady && lastRec && lastRec.s > firstSteady.s ? growthMb / ((lastRec.s - firstSteady.s) / 60) : NaN;
  const expectedTicks = Math.floor(r.spanMs / (1000 / RATE)) + 1;
  const askedForDuration = Math.round(DURATION_S * RATE);
  const achievedShare = r.samples / expectedTicks;
  const lossless =
    r.live.discontinuities === 0 &&
    r.live.samples === r.samples &&
    r.live.tChecksum === r.recordChecksums.t.sha256_16 &&
    v.samples.session === r.samples &&
    JSON.stringify(v.sessionChecksums) === JSON.stringify(v.recordChecksums) &&
    JSON.stringify(v.recordChecksums) === JSON.stringify(r.recordChecksums) &&
    r.gaps.nonIncreasing === 0;
  const store = storeEstimate(r.samples, cpus().length, r.threads);
  const verdicts = {
    memory: peakRss < RSS_BOUND_MB * MB,
    lossless,
    rate: achievedShare >= RATE_TARGET && r.gaps.maxMs <= GAP_TARGET_PERIODS * (1000 / RATE),
    reload: v.identical,
    tree: r.processes === TREE.processes && r.threads === TREE.threads,
    leftovers: ctx.leftovers.length === 0,
  };
  const loads = recording.map((m) => m.load1);
  const loadDuring = loads.length ? { mean: loads.reduce((x, y) => x + y, 0) / loads.length, max: Math.max(...loads) } : { mean: NaN, max: NaN };
  return { loadDuring, peakRss, peakWithCheck, peakRecording, growthMb, growthPerMin, expectedTicks, askedForDuration, achievedShare, store, verdicts };
}

function render(ctx, a) {
  const { result: r, verify: v, memory } = ctx;
  const ok = (b) => (b ? 'PASS' : '**FAIL**');
  const L = [];
  L.push('## Soak: a long run at 100 Hz', '');
  L.push(
    `Written by \`npm run bench:soak\` (scripts/bench-soak.mjs) on ${ctx.date}${MINUTES === 10 ? '' : ` — a **${MINUTES}-minute trial**, not the 10-minute soak`}. Machine: ${ctx.machine}. Load average (1/5/15 min) before ${loadFmt(ctx.loadBefore)}, after ${loadFmt(ctx.loadAfter)}; 1-minute load while recording ${f2(a.loadDuring.mean)} on average, ${f2(a.loadDuring.max)} at most, on ${cpus().length} cores (the machine is shared: other work competes with the sampler for the cores, which shows in the timing rows).`,
    '',
  );
  L.push(
    `Workload: \`scripts/bench/workload.py\`, ${TREE.processes} processes / ${TREE.threads} threads (each extra thread burns ~0.3 ms every 50 ms), ${DURATION_S} s, ending by itself. ` +
      `The profiler is a dedicated Node process (\`scripts/bench-soak/soakChild.ts\`, bundled) doing what the app does: \`createEngine().startRun()\` at ${RATE} Hz with a listener on the live stream, then \`buildSession\` + \`saveSession\` to a \`.session.json.gz\` (as \`corescope run --out\`). ` +
      `This script read its \`VmRSS\` from \`/proc/<pid>/status\` every ${EVERY_S} s (${memory.length} readings) and its \`VmHWM\` (peak) every 0.2 s.`,
    '',
  );
  L.push('| Measure | Result | Bound / target | Verdict |', '| --- | --- | --- | --- |');
  L.push(`| Profiler RSS, peak over the whole run: recording, building and saving the session | **${f1(a.peakRss / MB)} MB** (VmHWM at the end of the save) | < ${RSS_BOUND_MB} MB | ${ok(a.verdicts.memory)} |`);
  L.push(`| ↳ the whole process's peak, including this check's own plain-JSON copy of the record written after the save | ${f1(a.peakWithCheck / MB)} MB | (not the profiler's) | — |`);
  L.push(`| ↳ peak while recording; growth from minute 1 to the end of recording | ${f1(a.peakRecording / MB)} MB; ${f1(a.growthMb)} MB (${f2(a.growthPerMin)} MB/min) | the sample store for this run: ≈ ${f1(a.store / MB)} MB (16-bit columns, ${r.threads} threads, ${cpus().length} cores, ${r.samples} samples) | — |`);
  L.push(`| Samples recorded | **${r.samples}** over ${f1(r.spanMs / 1000)} s = ${f2(r.samples / (r.spanMs / 1000))} Hz; ${f1(a.achievedShare * 100)} % of the ${a.expectedTicks} ticks that span asks for (${a.askedForDuration} for ${DURATION_S} s × ${RATE} Hz) | ≥ ${RATE_TARGET * 100} % | ${ok(a.achievedShare >= RATE_TARGET)} |`);
  L.push(`| Largest gap between consecutive samples | **${f1(r.gaps.maxMs)} ms** (at ${f1(r.gaps.maxAtS)} s); p50 ${f2(r.gaps.p50Ms)} ms, p99 ${f2(r.gaps.p99Ms)} ms, p99.9 ${f2(r.gaps.p999Ms)} ms; ${r.gaps.over2Periods} gaps > 2 periods, ${r.gaps.over5Periods} > 5 periods (${r.gaps.missedTicks} ticks skipped in all). Node's main thread ran ${f1(r.mainThread.runMs / 1000)} s and waited ${f1(r.mainThread.runQueueWaitMs / 1000)} s in the run queue (runnable, no core free: ${f2((r.mainThread.runQueueWaitMs / r.recordMs) * 100)} % of the recording) | ≤ ${GAP_TARGET_PERIODS} periods (${f1(GAP_TARGET_PERIODS * (1000 / RATE))} ms) | ${ok(r.gaps.maxMs <= GAP_TARGET_PERIODS * (1000 / RATE))} |`);
  L.push(`| No recorded sample lost: live stream → record → saved session | live ${r.live.samples} samples in ${r.live.batches} batches, ${r.live.discontinuities} discontinuities; record ${r.samples}; reloaded session ${v.samples.session}; checksums of every column equal: ${JSON.stringify(v.sessionChecksums) === JSON.stringify(r.recordChecksums) ? 'yes' : 'no'} (live \`t\` ${r.live.tChecksum === r.recordChecksums.t.sha256_16 ? 'too' : 'differs'}) | all equal | ${ok(a.verdicts.lossless)} |`);
  L.push(`| Saved session reloads identically | ${v.identical ? 'identical' : `${v.differences.length} difference(s): ${v.differences.slice(0, 3).join('; ')}`} — \`loadSession\` (gunzip, size caps, schema) in a fresh process vs the record written as plain JSON, every field (${f1(ctx.sessionBytes / MB)} MB gzip, loaded in ${f2(v.loadMs / 1000)} s) | identical | ${ok(a.verdicts.reload)} |`);
  L.push(`| Tree followed | ${r.processes} processes, ${r.threads} threads; exit ${r.exit.reason} (code ${r.exit.code}); ${r.warnings.length} warning(s)${r.warnings.length ? `: ${r.warnings.slice(0, 2).join(' ').slice(0, 200)}` : ''} | ${TREE.processes} / ${TREE.threads} | ${ok(a.verdicts.tree)} |`);
  L.push(`| Processes left behind | ${ctx.leftovers.length ? ctx.leftovers.join('; ') : 'none'} (pgrep by tag and by parent) | none | ${ok(a.verdicts.leftovers)} |`);
  L.push('');
  L.push(`Profiler CPU (its own \`profilerCpuPct\`): ${f2(r.profilerCpuPct)} % of one core, measured by the ${r.sampler === 'native' ? 'native' : 'JavaScript'} sampler${r.jitterMs ? ` (sample-time jitter p50 / p99 / max ${f2(r.jitterMs.p50)} / ${f2(r.jitterMs.p99)} / ${f2(r.jitterMs.max)} ms)` : ''}, in a Node started with the CLI's flags (\`${cliNodeFlags().join(' ')}\`). Start-up to first sample ${f1(ctx.marks.started ?? NaN)} s; recording took ${f1(r.recordMs / 1000)} s, building and saving the session ${f2(r.saveMs / 1000)} s. Checksums (sha-256, first 16 hex digits, NaN = null): ${Object.entries(v.sessionChecksums ?? {}).map(([k, c]) => `${k} ${c.values} values \`${c.sha256_16}\``).join(', ')}.`, '');
  L.push('Profiler RSS over time (minimum / maximum of the readings in each slice; the phase is what the profiler was doing):', '');
  L.push('| Time (s) | RSS min (MB) | RSS max (MB) | Phase |', '| --- | --- | --- | --- |');
  for (const row of slices(memory)) L.push(`| ${row.from}–${row.to} | ${f1(row.min / MB)} | ${f1(row.max / MB)} | ${row.phase} |`);
  L.push('');
  L.push(
    `Re-run: \`npm run bench:soak\` (about ${Math.ceil(MINUTES + 1)} minutes); \`npm run bench:soak -- --minutes 0.5\` for a short trial, \`--no-write\` to leave this file alone. ` +
      `The memory bound is ${RSS_BOUND_MB} MB for this tree; the store itself needs ~97 MB in the worst case the README documents (10 min × 100 Hz × 128 cores × 200 threads), far less here. ` +
      `"Ticks skipped" are sampler timer ticks that came late (the run resumes from now instead of bursting), i.e. the achieved rate; "no recorded sample lost" is the separate check that every sample taken reaches the file.`,
  );
  return L.join('\n');
}

const loadFmt = (l) => l.map((x) => x.toFixed(2)).join(' / ');

/** RSS readings in slices of about a minute (phase changes start a new slice). */
function slices(memory) {
  const span = memory.length ? memory[memory.length - 1].s : 0;
  const width = span > 300 ? 60 : span > 60 ? 15 : 5;
  const out = [];
  let cur = null;
  for (const m of memory) {
    const bucket = Math.floor(m.s / width);
    if (!cur || cur.bucket !== bucket || cur.phase !== m.phase) {
      if (cur) out.push(cur);
      cur = { bucket, phase: m.phase, fromS: m.s, toS: m.s, min: m.rss, max: m.rss };
    } else {
      cur.toS = m.s;
      cur.min = Math.min(cur.min, m.rss);
      cur.max = Math.max(cur.max, m.rss);
    }
  }
  if (cur) out.push(cur);
  return out.map((c) => ({ ...c, from: Math.round(c.fromS), to: Math.round(c.toS) }));
}

function writeSection(section) {
  writeBenchSection('soak', section, BENCHMARKS);
}

// ---------- main ----------

let exitCode = 0;
try {
  const date = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const loadBefore = loadavg();
  log(`${DURATION_S} s at ${RATE} Hz, ${TREE.processes} processes / ${TREE.threads} threads (tag ${TAG})`);
  const script = await bundle();
  const ctx = await soak(script);
  await sleep(300);
  const leftovers = [...taggedPids(), ...childPids()].map((p) => `${p} (${spawnSync('ps', ['-o', 'args=', '-p', String(p)], { encoding: 'utf8' }).stdout.trim().slice(0, 80)})`);
  const full = { ...ctx, date, loadBefore, loadAfter: loadavg(), machine: machine(), leftovers };
  const a = analyse(full);
  const section = render(full, a);
  process.stdout.write(`${section}\n`);
  if (WRITE) {
    writeSection(section);
    log(`wrote the soak section of ${BENCHMARKS}`);
  }
  const failed = Object.entries(a.verdicts).filter(([, pass]) => !pass).map(([k]) => k);
  if (failed.length) {
    log(`FAILED: ${failed.join(', ')}`);
    exitCode = 1;
  } else log('every verdict passed');
} catch (err) {
  log(`error: ${err?.stack ?? err}`);
  exitCode = 1;
} finally {
  await cleanup();
}
const left = taggedPids();
if (left.length) log(`processes still alive after cleanup: ${left.join(', ')}`);
process.exit(exitCode);
