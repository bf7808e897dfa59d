// Times single samples of CoreScope's samplers on a tree that is already running: a CoreSampler
// and a TreeSampler built directly (as Run builds them), sampled on a timer at each rate, every
// `sample()` call timed with process.hrtime.bigint().
//
// Usage: node latency.js --pid ROOT_PID --rates 20,100 --seconds S
// Prints one JSON object on stdout.
import { closeSync, openSync, readSync } from 'node:fs';
import { CoreSampler, TreeSampler } from '../../src/engine';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const rootPid = Number(arg('--pid', '0'));
const rates = arg('--rates', '20,100').split(',').map(Number);
const seconds = Number(arg('--seconds', '5'));

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function stats(us: number[]): { n: number; p50: number; p99: number; max: number; mean: number } {
  const s = [...us].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s[s.length - 1] ?? NaN, mean };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function atRate(rateHz: number): Promise<Record<string, unknown>> {
  const cores = new CoreSampler();
  // The same settings as Run: slow passes once a second, stat refresh four times a second.
  const slowEvery = Math.max(1, Math.round(rateHz));
  const tree = new TreeSampler(rootPid, false, { slowEvery, statEvery: Math.max(1, Math.round(rateHz / 4)) });
  const t0 = process.hrtime.bigint();
  const nowMs = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
  // The first sample discovers the tree (opens every file); timed apart from the steady state.
  const f0 = process.hrtime.bigint();
  cores.sample();
  const first = tree.sample(nowMs());
  const firstUs = Number(process.hrtime.bigint() - f0) / 1e3;

  const total: number[] = [];
  const coreOnly: number[] = [];
  const treeOnly: number[] = [];
  const slowTotal: number[] = [];
  const fastTotal: number[] = [];
  const period = 1000 / rateHz;
  const cpu0 = process.cpuUsage();
  const wall0 = nowMs();
  let next = nowMs();
  let i = 1; // sample 0 was the discovery sample
  while (nowMs() - wall0 < seconds * 1000) {
    next += period;
    await sleep(Math.max(0, next - nowMs()));
    const a = process.hrtime.bigint();
    cores.sample();
    const b = process.hrtime.bigint();
    tree.sample(nowMs());
    const c = process.hrtime.bigint();
    const tot = Number(c - a) / 1e3;
    total.push(tot);
    coreOnly.push(Number(b - a) / 1e3);
    treeOnly.push(Number(c - b) / 1e3);
    (i % slowEvery === 0 ? slowTotal : fastTotal).push(tot);
    i++;
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = nowMs() - wall0;
  const out = {
    rateHz,
    processes: first.liveProcesses,
    threads: first.liveThreads,
    firstSampleUs: firstUs,
    total: stats(total),
    core: stats(coreOnly),
    tree: stats(treeOnly),
    slowSamples: stats(slowTotal),
    fastSamples: stats(fastTotal),
    achievedHz: total.length / (wallMs / 1000),
    // CPU of this bare loop (samplers + timer, nothing else), for comparison with a whole Run.
    bareLoopCpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
  };
  const schedPaths = tree.threads.filter((th) => th.alive).map((th) => `/proc/${th.info.pid}/task/${th.info.tid}/schedstat`);
  tree.close();
  cores.close();
  return { ...out, readFloorCpuPct: await readFloor(rateHz, Math.min(5, seconds), schedPaths), floorFiles: schedPaths.length + 1 };
}

/**
 * CPU of this process, as % of one core, while it only wakes on a timer at `rateHz` for
 * `forSeconds` and runs `onTick` at each wakeup.
 */
async function timerCpuPct(rateHz: number, forSeconds: number, onTick: () => void = () => undefined): Promise<number> {
  const period = 1000 / rateHz;
  const t0 = Number(process.hrtime.bigint()) / 1e6;
  const cpu0 = process.cpuUsage();
  let next = t0;
  for (;;) {
    const now = Number(process.hrtime.bigint()) / 1e6;
    if (now - t0 >= forSeconds * 1000) break;
    next += period;
    await sleep(Math.max(0, next - now));
    onTick();
  }
  const cpu = process.cpuUsage(cpu0);
  return ((cpu.user + cpu.system) / 1000 / (Number(process.hrtime.bigint()) / 1e6 - t0)) * 100;
}

/**
 * CPU of the least any per-thread sampler in Node must do at this rate: wake on the timer and
 * read /proc/stat and every thread's schedstat from descriptors held open; no parsing, no store.
 */
async function readFloor(rateHz: number, forSeconds: number, schedPaths: string[]): Promise<number> {
  const fds = ['/proc/stat', ...schedPaths].flatMap((p) => {
    try {
      return [openSync(p, 'r')];
    } catch {
      return [];
    }
  });
  const buf = Buffer.allocUnsafe(64 * 1024);
  try {
    return await timerCpuPct(rateHz, forSeconds, () => {
      for (const fd of fds) {
        try {
          readSync(fd, buf, 0, buf.length, 0);
        } catch {
          // that thread ended: nothing to read
        }
      }
    });
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** CPU of a Node process that only runs the same timer at this rate: the floor under any sampler written in Node. */
function emptyTimer(rateHz: number, forSeconds: number): Promise<number> {
  return timerCpuPct(rateHz, forSeconds);
}

const results = [];
for (const r of rates) {
  const emptyTimerCpuPct = await emptyTimer(r, Math.min(4, seconds));
  results.push({ ...(await atRate(r)), emptyTimerCpuPct });
}
process.stdout.write(`${JSON.stringify({ rootPid, results })}\n`);
