// Plain-text renderings of results for people reading a terminal.
import type { RunResult, SystemInfo } from '../shared/types';
import { terminalSafe } from '../shared/terminalSafe';
import { cpuTimeText, NOT_KNOWN, orNotKnown } from '../shared/figureText';

const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;

function bar(pct: number, width = 20): string {
  const n = Math.round((Math.max(0, Math.min(100, pct)) / 100) * width);
  return '█'.repeat(n) + '·'.repeat(width - n);
}

export function formatResult(r: RunResult): string {
  const lines: string[] = [];
  const what = r.scenario ? `scenario ${r.scenario}` : `command ${r.params.cmd ?? r.params.argv?.join(' ')}`;
  lines.push(`CoreScope run ${r.runId.slice(0, 8)}: ${what}`);
  lines.push(`  verdict      ${r.verdict.kind.toUpperCase()} — ${r.verdict.text}`);
  lines.push(...phaseLines(r));
  lines.push(`  wall time    ${ms(r.wallMs)}`);
  lines.push(`  CPU time     ${cpuTimeText(r.cpu, ms)}`);
  lines.push(`  parallelism  ${r.parallelism.toFixed(2)} cores busy on average (CPU / wall)`);
  if (r.peakConcurrency !== null) lines.push(`  concurrency  ${r.peakConcurrency} tasks in flight at peak`);
  if (r.lag) lines.push(`  loop lag     p50 ${r.lag.p50Ms.toFixed(1)} ms, p99 ${r.lag.p99Ms.toFixed(1)} ms, max ${r.lag.maxMs.toFixed(1)} ms (${r.lag.count} heartbeats)`);
  for (const [name, value] of Object.entries(r.metrics)) lines.push(`  ${name.padEnd(12)} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
  lines.push(`  peak memory  ${r.peakRssBytes === null ? NOT_KNOWN : `${mib(r.peakRssBytes)} (RSS of the tree)`}, ${r.processes} process(es), ${r.threads.length} thread(s)`);
  const failed = r.verdict.kind === 'failed' || (r.exit.reason === 'exited' && (r.exit.code !== 0 || !!r.exit.signal));
  const how = r.exit.reason !== 'exited' ? r.exit.reason : failed ? 'FAILED' : 'exited';
  lines.push(`  spawn        ${orNotKnown(r.spawnLatencyMs, (v) => `${v.toFixed(1)} ms to start`)}; exit ${r.exit.signal ?? r.exit.code ?? NOT_KNOWN} (${how})`);
  const probes = r.fidelity.stackProbeCpuMs !== undefined ? `; its stack probes ${ms(r.fidelity.stackProbeCpuMs)} of CPU inside the program (${r.cpu.totalMs > 0 ? ((100 * r.fidelity.stackProbeCpuMs) / r.cpu.totalMs).toFixed(1) : '0'} % of its CPU)` : '';
  lines.push(`  machine      other load ${r.noisePct.toFixed(1)} % of all cores; CoreScope itself ${orNotKnown(r.profilerCpuPct, (v) => `${v.toFixed(1)} % of one core`)}${probes}`);
  lines.push('  cores (busy over the run):');
  for (const c of r.cores) lines.push(`    cpu${String(c.id).padEnd(3)} ${bar(c.busyPct)} ${c.busyPct.toFixed(0).padStart(3)} %  (user ${c.userPct.toFixed(0)} %, system ${c.systemPct.toFixed(0)} %)`);
  const top = [...r.threads].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 8);
  if (top.length) {
    lines.push(`  busiest threads (of ${r.threads.length}):`);
    for (const t of top) lines.push(`    ${String(t.pid).padStart(7)}/${String(t.tid).padEnd(7)} ${t.name.padEnd(16)} ${t.role.padEnd(14)} ${ms(t.cpuMs)}`);
  }
  // Why cores sat idle: only when they did, and not for a failed run (nothing to explain there).
  const idleCores = r.cores.reduce((sum, c) => sum + Math.max(0, 100 - c.busyPct), 0) / 100;
  const reasons = r.verdict.kind === 'failed' || idleCores < 0.25 ? [] : r.windows.filter((w) => w.reason);
  if (reasons.length) {
    const counts = new Map<string, { n: number; text: string; code?: string }>();
    for (const w of reasons) {
      const k = w.reason!.kind;
      const had = counts.get(k);
      counts.set(k, { n: (had?.n ?? 0) + 1, text: had?.text ?? w.reason!.text, code: had?.code ?? w.code });
    }
    lines.push(`  why cores sat idle (${r.windows.length} windows of 250 ms):`);
    for (const [, v] of counts) {
      lines.push(`    ${v.n}× ${v.text}`);
      if (v.code) lines.push(`        code: ${v.code}`);
    }
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  // Names, metrics, the command line and warnings come from the workload: escaped, line by line.
  return lines.map(terminalSafe).join('\n');
}

export function formatInfo(info: SystemInfo): string {
  const h = info.hardware;
  const lines = [
    `CoreScope ${info.corescopeVersion} on Node ${info.nodeVersion}`,
    `  CPU      ${h.cpu.manufacturer} ${h.cpu.brand}: ${h.cpu.physicalCores} physical / ${h.cpu.logicalCores} logical cores, ${h.cpu.speedGHz > 0 ? `${h.cpu.speedGHz} GHz (max ${h.cpu.speedMaxGHz} GHz)` : 'clock speed not reported'}`,
    `  caches   L1d ${h.cpu.cacheKiB.l1d} KiB, L1i ${h.cpu.cacheKiB.l1i} KiB, L2 ${h.cpu.cacheKiB.l2} KiB, L3 ${h.cpu.cacheKiB.l3} KiB`,
    `  memory   ${mib(h.memoryBytes)}`,
    `  OS       ${h.os.distro} (${h.os.platform} ${h.os.arch}), kernel ${h.os.kernel}, host ${h.hostname}`,
    '  runtimes:',
  ];
  if (info.runtimes.length === 0) lines.push('    none found');
  for (const r of info.runtimes) {
    const gil = r.kind === 'python' ? `, GIL ${r.gilEnabled === false ? 'disabled' : 'enabled'}${r.freeThreadedBuild ? ' (free-threaded build)' : ''}` : '';
    lines.push(`    ${r.kind.padEnd(6)} ${r.version.padEnd(10)} ${r.implementation}${gil}  ${r.path}`);
  }
  // Versions and paths are what an interpreter the user named answered.
  return lines.map(terminalSafe).join('\n');
}

/** The phases in order, one a line, then the serial fraction: both absent from files made before them. */
export function phaseLines(r: Pick<RunResult, 'phases' | 'serialFraction' | 'findings'>): string[] {
  const lines: string[] = [];
  const phases = r.phases ?? [];
  if (phases.length) {
    lines.push(`  phases       ${phases.length} in order:`);
    for (const p of phases) {
      const span = `${(p.fromMs / 1000).toFixed(2)}–${(p.toMs / 1000).toFixed(2)} s`;
      lines.push(`    ${span.padEnd(15)} ${p.kind.padEnd(11)} ${p.text}`);
      if (p.code) lines.push(`    ${''.padEnd(15)} ${'code'.padEnd(11)} ${p.code}`);
    }
  }
  // The longest blocks of an event loop, by the code that blocked it.
  const blocks = (r.findings ?? []).filter((f) => f.kind === 'blocked').sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs));
  if (blocks.length) {
    lines.push(`  loop blocked ${blocks.length} time(s) by code; the longest:`);
    for (const f of blocks.slice(0, 3)) lines.push(`    ${`${(f.fromMs / 1000).toFixed(2)}–${(f.toMs / 1000).toFixed(2)} s`.padEnd(15)} ${f.text}`);
  }
  const sf = r.serialFraction;
  if (sf) {
    const ceiling = sf.ceiling === null ? 'no ceiling (no work ran on one core alone)' : `Amdahl ceiling ${sf.ceiling.toFixed(1)}× on any number of cores`;
    lines.push(`  serial       ${Math.round(sf.fraction * 100)} % of the CPU work ran on at most one core (${ms(sf.serialWorkMs)} of ${ms(sf.serialWorkMs + sf.parallelWorkMs)}): ${ceiling}`);
  }
  return lines;
}

/** A result's text with the machine it ran on (--on) named on its first line. */
export function onMachine(text: string, on: { text: string } | undefined): string {
  if (!on) return text;
  const nl = text.indexOf('\n');
  const head = nl < 0 ? text : text.slice(0, nl);
  return `${head} — on ${terminalSafe(on.text)} (over ssh)${nl < 0 ? '' : text.slice(nl)}`;
}
