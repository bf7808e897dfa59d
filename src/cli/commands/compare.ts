// `corescope compare`: two scenarios (or an article preset) run one after the other with the
// same parameters, shown side by side.
import type { RunRequest } from '../../shared/api';
import type { RunResult } from '../../shared/types';
import { COMPARE_PRESETS, SCENARIOS } from '../../shared/scenarios';
import { CliInputError, EXIT_OK, EXIT_RUN_FAILED } from '../exitCodes';
import { parseKnobs } from '../options';
import { Progress } from '../progress';
import { withEngine } from '../session';
import { writeFileAtomic } from '../output';
import type { RunOpts } from './run';

interface Side {
  label: string;
  request: RunRequest;
}

function sides(a: string, b: string | undefined, opts: RunOpts, extra: string[]): { title: string; sides: [Side, Side] } {
  const knobs = parseKnobs(extra);
  const base = { rateHz: opts.rate, timeoutS: opts.timeout, python: opts.python, node: opts.node };
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
    ['peak memory', `${(r[0].peakRssBytes / 1048576).toFixed(1)} MiB`, `${(r[1].peakRssBytes / 1048576).toFixed(1)} MiB`],
  ];
  const metricNames = [...new Set([...Object.keys(r[0].metrics), ...Object.keys(r[1].metrics)])];
  for (const m of metricNames) rows.push([m, String(r[0].metrics[m] ?? '–'), String(r[1].metrics[m] ?? '–')]);
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const out = [`CoreScope comparison: ${title}`];
  for (const [k, a, b] of rows) out.push(`  ${k.padEnd(w0)}  ${a.padEnd(w1)}  ${b}`);
  out.push(`  ${labels[0]}: ${r[0].verdict.text}`);
  out.push(`  ${labels[1]}: ${r[1].verdict.text}`);
  return out.join('\n');
}

export async function compareCommand(a: string, b: string | undefined, opts: RunOpts, extra: string[]): Promise<number> {
  const plan = sides(a, b, opts, extra);
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
  if (opts.out) writeFileAtomic(opts.out, JSON.stringify({ title: plan.title, labels, results: pair }));
  process.stdout.write(opts.json ? `${JSON.stringify({ title: plan.title, labels, a: pair[0], b: pair[1] })}\n` : `${formatComparison(plan.title, labels, pair)}\n`);
  const ok = pair.every((r) => r.exit.reason === 'exited' && r.exit.code === 0);
  return ok ? EXIT_OK : EXIT_RUN_FAILED;
}
