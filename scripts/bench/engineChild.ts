// A Node process that does nothing but one CoreScope run (createEngine + runToEnd, the path the
// CLI takes), so the bench can measure this process's own CPU from /proc/<pid>/stat.
//
// Protocol (JSON lines on stdout, plain lines on stdin), so start-up and the final report stay
// outside the measured window:
//   -> {"ev":"ready"}            engine loaded; waiting for "go"
//   <- go
//   -> {"ev":"started"}          the workload was spawned and the first sample taken
//   -> {"ev":"finished"}         the run's record is built; waiting for "ok"
//   <- ok
//   -> {"ev":"result", ...}      figures from the record; then the process exits
//
// Usage: node engineChild.js --cmd "<shell command line>" --rate HZ [--timeout S]
import { createInterface } from 'node:readline';
import { createEngine } from '../../src/engine';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  throw new Error(`missing ${name}`);
}

const cmd = arg('--cmd');
const rateHz = Number(arg('--rate'));
const timeoutS = Number(arg('--timeout', '120'));

const lines = createInterface({ input: process.stdin });
const waiting: ((line: string) => void)[] = [];
lines.on('line', (line) => waiting.shift()?.(line.trim()));
// The bench gone (killed, crashed): its end of stdin closes. Waiting for its next line would keep
// this process alive for ever; exiting ends the workload too (the keeper's parent-death signal).
let protocolDone = false;
lines.on('close', () => {
  if (!protocolDone) process.exit(3);
});
const nextLine = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
const say = (obj: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};

const engine = createEngine();
say({ ev: 'ready', pid: process.pid });
if ((await nextLine()) !== 'go') process.exit(2);

const { runId } = await engine.startRun({ kind: 'command', cmd, rateHz, timeoutS });
say({ ev: 'started', runId });
const record = await engine.getRun(runId);
say({ ev: 'finished' });
await nextLine();
protocolDone = true;
lines.close();

const r = record.result;
const sampledThreadCpuMs = r.threads.reduce((s, t) => s + t.cpuMs, 0);
const t = record.samples.t;
say({
  ev: 'result',
  profilerCpuPct: r.profilerCpuPct,
  wallMs: r.wallMs,
  cpu: r.cpu,
  sampledThreadCpuMs,
  threads: r.threads.length,
  processes: r.processes,
  samples: t.length,
  spanMs: t.length > 1 ? t[t.length - 1] - t[0] : 0,
  exit: r.exit,
  warnings: r.warnings,
  // Which sampler measured, and its sample-time jitter (a sentence: scripts/lib/benchSamplers.mjs reads it).
  fidelity: r.fidelity,
  stderrTail: record.stderr.slice(-2000),
});
await engine.dispose();
