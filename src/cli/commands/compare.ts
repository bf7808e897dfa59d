// `corescope compare`: two scenarios (or an article preset) run one after the other with the
// same parameters, shown side by side; or, given session files, machines side by side (hardware,
// the same scenarios, speedup per task count) with every difference that is not the machine flagged.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { RunRequest } from '../../shared/api';
import { compareSessions, type LabelledSession, type SessionComparison } from '../../shared/sessionCompare';
import { loadSession, writeFileDurable, comparisonReportHtml } from '../../engine';
import type { RunResult } from '../../shared/types';
import { COMPARE_PRESETS, SCENARIOS } from '../../shared/scenarios';
import { CliInputError, EXIT_OK, EXIT_RUN_FAILED } from '../exitCodes';
import { checkOutputPath, parseKnobs } from '../options';
import { Progress } from '../progress';
import { withEngine } from '../session';
import type { RunOpts } from './run';
import { terminalSafe, terminalSafeJson } from '../../shared/terminalSafe';
import { runSucceeded } from '../../shared/runOutcome';
import { orNotKnown } from '../../shared/figureText';

const mibText = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

interface Side {
  label: string;
  request: RunRequest;
}

function sides(a: string, b: string | undefined, opts: RunOpts, extra: string[]): { title: string; sides: [Side, Side] } {
  const knobs = parseKnobs(extra);
  const base = { rateHz: opts.rate, timeoutS: opts.timeout, stacksHz: opts.stacks, python: opts.python, node: opts.node };
  if (b === undefined) {
    const preset = COMPARE_PRESETS.find((p) => p.id === a);
    if (!preset) {
      throw new CliInputError(`${JSON.stringify(a)} is not a comparison preset; give two scenario ids or one of: ${COMPARE_PRESETS.map((p) => p.id).join(', ')}`);
    }
    return {
      title: preset.title,
      sides: [
        { label: preset.aLabel, request: { kind: 'scenario', scenario: preset.a, params: { ...preset.aParams, ...knobs }, ...base } },
        { label: preset.bLabel, request: { kind: 'scenario', scenario: preset.b, params: { ...preset.bParams, ...knobs }, ...base } },
      ],
    };
  }
  for (const id of [a, b]) {
    if (!SCENARIOS.some((s) => s.id === id && s.runtime !== 'custom')) throw new CliInputError(`unknown scenario ${JSON.stringify(id)}; see corescope list`);
  }
  return {
    title: `${a} vs ${b}`,
    sides: [
      { label: a, request: { kind: 'scenario', scenario: a, params: knobs, ...base } },
      { label: b, request: { kind: 'scenario', scenario: b, params: knobs, ...base } },
    ],
  };
}

export function formatComparison(title: string, labels: [string, string], r: [RunResult, RunResult]): string {
  const rows: [string, string, string][] = [
    ['', labels[0], labels[1]],
    ['verdict', r[0].verdict.kind, r[1].verdict.kind],
    ['wall time', `${r[0].wallMs.toFixed(0)} ms`, `${r[1].wallMs.toFixed(0)} ms`],
    ['CPU time', `${r[0].cpu.totalMs.toFixed(0)} ms`, `${r[1].cpu.totalMs.toFixed(0)} ms`],
    ['parallelism', r[0].parallelism.toFixed(2), r[1].parallelism.toFixed(2)],
    ['tasks in flight', String(r[0].peakConcurrency ?? '–'), String(r[1].peakConcurrency ?? '–')],
    ['loop lag max', r[0].lag ? `${r[0].lag.maxMs.toFixed(0)} ms` : '–', r[1].lag ? `${r[1].lag.maxMs.toFixed(0)} ms` : '–'],
    ['threads', String(r[0].threads.length), String(r[1].threads.length)],
    ['processes', String(r[0].processes), String(r[1].processes)],
    ['peak memory', orNotKnown(r[0].peakRssBytes, mibText), orNotKnown(r[1].peakRssBytes, mibText)],
  ];
  const metricNames = [...new Set([...Object.keys(r[0].metrics), ...Object.keys(r[1].metrics)])];
  for (const m of metricNames) rows.push([m, String(r[0].metrics[m] ?? '–'), String(r[1].metrics[m] ?? '–')]);
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const out = [`CoreScope comparison: ${title}`];
  for (const [k, a, b] of rows) out.push(`  ${k.padEnd(w0)}  ${a.padEnd(w1)}  ${b}`);
  out.push(`  ${labels[0]}: ${r[0].verdict.text}`);
  out.push(`  ${labels[1]}: ${r[1].verdict.text}`);
  // Metric names come from the workloads.
  return out.map(terminalSafe).join('\n');
}

export interface CompareOpts extends RunOpts {
  html?: string;
}

const isFile = (p: string | undefined): boolean => {
  try {
    return p !== undefined && existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Short, distinct labels for the machines: file names without the session suffix. */
function labelsFor(files: string[]): string[] {
  const base = files.map((f) => basename(f).replace(/\.session\.json(\.gz)?$|\.json(\.gz)?$/i, ''));
  return base.map((b, i) => (base.indexOf(b) !== i || base.lastIndexOf(b) !== i ? `${b} (${i + 1})` : b));
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `${indent}${r.map((x, c) => (x ?? '').padEnd(widths[c])).join('  ')}`.trimEnd());
}

export function formatSessionComparison(cmp: SessionComparison): string {
  const out = [`CoreScope comparison of ${cmp.labels.length} sessions: ${cmp.labels.join(' vs ')}`];
  if (cmp.flags.length || cmp.scenarios.some((s) => s.flags.length) || cmp.sweeps.some((s) => s.flags.length)) {
    out.push('', 'FLAGGED — not like for like:');
    for (const f of cmp.flags) out.push(`  ! ${f}`);
    // "not recorded on X" grouped into one line per machine set, the rest one line each.
    const missing = new Map<string, string[]>();
    const rowFlags = [...cmp.scenarios.map((s) => ({ what: s.key, flags: s.flags })), ...cmp.sweeps.map((s) => ({ what: `sweep ${s.scenario}`, flags: s.flags }))];
    for (const { what, flags } of rowFlags) {
      for (const f of flags) {
        const m = /^not recorded on (.+)$/.exec(f);
        if (m) missing.set(m[1], [...(missing.get(m[1]) ?? []), what]);
        else out.push(`  ! ${what}: ${f}`);
      }
    }
    for (const [where, whats] of missing) out.push(`  ! not recorded on ${where}: ${whats.join(', ')}`);
  }
  out.push('', 'Machines (* = differs)');
  out.push(...table([['', ...cmp.labels], ...[...cmp.hardware, ...cmp.runtimes].map((r) => [`${r.differs ? '*' : ' '} ${r.field}`, ...r.values])]));
  if (cmp.scenarios.length) {
    out.push('', 'Scenarios side by side (verdict, wall, CPU, parallelism)');
    const rows = [['scenario', ...cmp.labels]];
    for (const s of cmp.scenarios) {
      rows.push([
        `${s.flags.length ? '!' : ' '} ${s.key}`,
        ...s.cells.map((c) => (c ? `${c.verdict} ${sec(c.wallMs)} ${sec(c.cpuMs)} ${c.parallelism.toFixed(2)}${c.ok ? '' : ' FAILED'}` : 'not recorded')),
      ]);
    }
    out.push(...table(rows));
  }
  for (const sw of cmp.sweeps) {
    out.push('', `Speedup: ${sw.scenario} (speedup over 1 task; cores used as a share of the machine's logical cores)`);
    const counts = [...new Set(sw.series.flatMap((s) => s.sweep?.points.map((p) => p.tasks) ?? []))].sort((a, b) => a - b);
    const rows = [['tasks', ...sw.series.flatMap((s) => [`${s.label} speedup`, `cores used/${s.logicalCores}`])]];
    for (const n of counts) {
      rows.push([
        String(n),
        ...sw.series.flatMap((s) => {
          const p = s.sweep?.points.find((q) => q.tasks === n);
          return p ? [p.speedup ? `${p.speedup.mean.toFixed(2)}×` : '–', `${Math.round(p.coreShare * 100)} %`] : ['–', '–'];
        }),
      ]);
    }
    rows.push(['serial s', ...sw.series.flatMap((s) => [s.sweep?.amdahl ? s.sweep.amdahl.serialFraction.toFixed(3) : '–', ''])]);
    out.push(...table(rows));
  }
  // Host names, labels and values come from session files, which anyone may have written.
  return out.map(terminalSafe).join('\n');
}

export async function compareSessionsCommand(files: string[], opts: CompareOpts): Promise<number> {
  if (files.length < 2) throw new CliInputError('give at least two session files to compare');
  for (const f of files) {
    if (f.startsWith('--')) throw new CliInputError(`unknown option ${f} for comparing sessions; use --html FILE or --json`);
    if (!isFile(f)) throw new CliInputError(`${f}: no such session file`);
  }
  // Before reading them all: the report must be writable and must not be one of the sessions.
  if (opts.html !== undefined) checkOutputPath(opts.html, '--html', files);
  const labels = labelsFor(files);
  const sessions: LabelledSession[] = [];
  for (let i = 0; i < files.length; i++) sessions.push({ label: labels[i], session: await loadSession(files[i]) });
  const cmp = compareSessions(sessions);
  if (opts.html) {
    await writeFileDurable(opts.html, comparisonReportHtml(sessions), { option: '--html', inputs: files });
    process.stderr.write(`wrote ${opts.html}\n`);
  }
  process.stdout.write(opts.json ? `${terminalSafeJson(cmp)}\n` : `${formatSessionComparison(cmp)}\n`);
  return EXIT_OK;
}

export async function compareCommand(a: string, b: string | undefined, opts: CompareOpts, extra: string[]): Promise<number> {
  // Session files rather than scenario ids: compare recorded machines, run nothing.
  if (isFile(a)) return compareSessionsCommand([a, ...(b === undefined ? [] : [b]), ...extra], opts);
  if (opts.html) throw new CliInputError('--html needs session files to compare (corescope compare A.session.json B.session.json --html report.html)');
  const plan = sides(a, b, opts, extra);
  if (opts.out !== undefined) checkOutputPath(opts.out);
  const results = await withEngine({ python: opts.python, node: opts.node }, async (engine) => {
    const out: RunResult[] = [];
    for (const side of plan.sides) {
      const progress = new Progress(side.label);
      const off = progress.wanted ? engine.onEvent((e) => progress.onEvent(e)) : () => undefined;
      try {
        out.push((await engine.runToEnd(side.request)).result);
      } finally {
        off();
        progress.done();
      }
      // Interrupted: do not start the second run.
      if (process.exitCode && Number(process.exitCode) > 2) break;
    }
    return out;
  });
  if (results.length < 2) return Number(process.exitCode) || EXIT_RUN_FAILED;
  const pair: [RunResult, RunResult] = [results[0], results[1]];
  const labels: [string, string] = [plan.sides[0].label, plan.sides[1].label];
  if (opts.out) await writeFileDurable(opts.out, JSON.stringify({ title: plan.title, labels, results: pair }), { option: '--out' });
  process.stdout.write(opts.json ? `${terminalSafeJson({ title: plan.title, labels, a: pair[0], b: pair[1] })}\n` : `${formatComparison(plan.title, labels, pair)}\n`);
  const ok = pair.every(runSucceeded);
  return ok ? EXIT_OK : EXIT_RUN_FAILED;
}
