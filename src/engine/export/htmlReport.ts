// Self-contained HTML reports: one file per session or per comparison, with inline CSS and
// inline SVG charts. No scripts, no fonts, no images from anywhere: a Content-Security-Policy
// forbids every request, so the file opens offline and leaks nothing when shared.
import type { RunRecord } from '../../shared/types';
import type { SessionFile } from '../../shared/sessionSchema';
import { compareSessions, hardwareFields, type LabelledSession } from '../../shared/sessionCompare';
import { amdahlText, type SweepResult } from '../../shared/sweep';
import { runSucceeded } from '../../shared/runOutcome';
import { cpuTimeText } from '../../shared/figureText';
import { PALETTE, coreLanesSvg, coresBusySvg, esc, speedupSvg, threadLanesSvg } from './svgCharts';
import { KIND_COLORS } from '../../shared/kindColors';
import { phaseSection } from './phaseReport';
import { whichCodeSection } from './stackReport';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// Badge colours per verdict kind come from the same table as the phase strip (phaseReport.ts).
const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0f172a; margin: 0; background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.callers { color: #64748b; }
.code-line { color: #334155; font-size: 12px; margin: 3px 0; }
.sub { color: #475569; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { border: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.differs td { background: #fff7ed; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 12px; font-weight: 600; color: #fff; }
.badge { background: #64748b; }
${Object.entries(KIND_COLORS)
  .map(([k, c]) => `.badge.${k} { background: ${c}; }`)
  .join('\n')}
.badge.startup { color: #0f172a; }
.stderr-tail { background: #fef2f2; border-color: #fecaca; }
.flags { background: #fff7ed; border: 1px solid #fdba74; border-radius: 6px; padding: 8px 12px 8px 28px; margin: 8px 0; }
.flags li { margin: 2px 0; }
.ok { color: #15803d; } .bad { color: #b91c1c; }
.verdict { margin: 4px 0 8px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; color: #334155; }
.legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: -1px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 4px 0 10px; }
svg .tick { font-size: 11px; fill: #334155; font-family: system-ui, sans-serif; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 20px; }
details { border: 1px solid #e2e8f0; border-radius: 6px; padding: 4px 12px; margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
pre { background: #f8fafc; border: 1px solid #e2e8f0; padding: 8px; overflow-x: auto; font-size: 12px; max-height: 240px; }
footer { color: #64748b; font-size: 12px; margin-top: 40px; }
`;

const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const badge = (kind: string): string => `<span class="badge ${esc(kind)}">${esc(kind)}</span>`;
const paramsOf = (r: RunRecord): string =>
  r.result.params.scenario
    ? Object.entries(r.result.params.scenario.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : (r.result.params.cmd ?? r.result.params.argv?.join(' ') ?? '');
const whatOf = (r: RunRecord): string => r.result.scenario ?? `command: ${r.result.params.cmd ?? r.result.params.argv?.join(' ') ?? '?'}`;
const exitOf = (r: RunRecord): string => {
  const e = r.result.exit;
  return `<span class="${runSucceeded(r.result) ? 'ok' : 'bad'}">${esc(e.reason === 'exited' ? `exit ${e.code ?? e.signal}` : e.reason)}</span>`;
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="CoreScope">
<title>${esc(title)}</title>
<style>${CSS}</style></head>
<body><main>
${body}
<footer>Made by CoreScope. This file is self-contained: it loads nothing from anywhere.</footer>
</main></body></html>
`;
}

function hardwareTable(s: SessionFile): string {
  const rows = hardwareFields(s.hardware).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`);
  for (const rt of s.runtimes) {
    const gil = rt.kind === 'python' ? (rt.gilEnabled === false ? ', GIL disabled' : ', GIL enabled') : '';
    rows.push(`<tr><th>${esc(rt.kind === 'python' ? 'Python' : 'Node.js')}</th><td>${esc(`${rt.implementation} ${rt.version}${gil} — ${rt.path}`)}</td></tr>`);
  }
  return `<table data-table="hardware">${rows.join('')}</table>`;
}

function runsTable(runs: RunRecord[]): string {
  const head = '<tr><th>#</th><th>scenario</th><th>parameters</th><th>wall</th><th>CPU</th><th>parallelism</th><th>verdict</th><th>exit</th></tr>';
  const rows = runs.map(
    (r, i) =>
      `<tr><td class="num">${i + 1}</td><td>${esc(whatOf(r))}</td><td>${esc(paramsOf(r))}</td><td class="num">${ms(r.result.wallMs)}</td><td class="num">${ms(r.result.cpu.totalMs)}</td><td class="num">${r.result.parallelism.toFixed(2)}</td><td>${badge(r.result.verdict.kind)}</td><td>${exitOf(r)}</td></tr>`,
  );
  return `<table data-table="runs">${head}${rows.join('')}</table>`;
}

const LEGEND = `<div class="legend"><span><i style="background:#2563eb"></i>user</span><span><i style="background:#f97316"></i>system</span><span><i style="background:#a3a3a3"></i>iowait</span><span><i style="background:#16a34a"></i>workload (cores' worth)</span><span><i style="background:#64748b"></i>whole machine</span></div>`;

/** The charts and figures of one run. */
export function runSection(r: RunRecord, index: number, open = true): string {
  const res = r.result;
  const facts = [
    `wall ${ms(res.wallMs)}`,
    `CPU ${cpuTimeText(res.cpu, ms)}`,
    `parallelism ${res.parallelism.toFixed(2)}`,
    res.peakConcurrency !== null ? `${res.peakConcurrency} tasks in flight at peak` : '',
    res.lag ? `loop lag p99 ${res.lag.p99Ms.toFixed(1)} ms, max ${res.lag.maxMs.toFixed(1)} ms` : '',
    `${res.processes} process(es), ${res.threads.length} thread(s)`,
    `other load ${res.noisePct.toFixed(1)} % of all cores`,
    `${r.samples.rateHz} Hz sampling`,
  ].filter(Boolean);
  const body = `
<p class="verdict">${badge(res.verdict.kind)} ${esc(res.verdict.text)}</p>
<p class="sub">${esc(facts.join(' · '))}</p>
${failedBlock(r)}${phaseSection(res)}${whichCodeSection(r)}
<h3>Per-core utilisation</h3>${LEGEND}${coreLanesSvg(r.samples)}
<h3>Cores busy</h3>${coresBusySvg(r.samples)}
<h3>Threads (CPU share; task spans as dark bars)</h3>${threadLanesSvg(r.samples, r.events)}
${res.warnings.length ? `<ul class="flags">${res.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}`;
  const title = `Run ${index + 1}: ${esc(whatOf(r))} <small>${esc(paramsOf(r))}</small>`;
  return `<details data-run="${index}"${open ? ' open' : ''}><summary>${title}</summary>${body}</details>`;
}

/** A failed run says so under its verdict, with the end of its stderr, before any chart. */
function failedBlock(r: RunRecord): string {
  if (runSucceeded(r.result) || r.result.exit.reason === 'cancelled' || r.result.exit.reason === 'timeout') return '';
  const tail = r.stderr.trim().split('\n').slice(-30).join('\n');
  return `<p class="bad" data-failed><strong>This run failed (${exitOf(r)}):</strong> its figures describe a program that did not finish its work.</p>${tail ? `<pre class="stderr-tail">${esc(tail)}</pre>` : ''}`;
}

/** The single-run Amdahl ceilings of a sweep's runs (from their phases), beside the fitted one. */
function singleRunCeilings(sw: SweepResult, runs: RunRecord[]): string {
  const byId = new Map(runs.map((r) => [r.result.runId, r.result]));
  const items = sw.runs
    .map((ref) => ({ ref, res: byId.get(ref.runId) }))
    .filter((x) => x.res?.serialFraction)
    .map(({ ref, res }) => {
      const sf = res!.serialFraction!;
      return `${ref.tasks} task${ref.tasks === 1 ? '' : 's'}: serial ${Math.round(sf.fraction * 100)} %, ceiling ${sf.ceiling === null ? 'none' : `${sf.ceiling.toFixed(1)}×`}`;
    });
  if (!items.length) return '';
  return `<p data-single-run-ceilings>Single-run Amdahl ceilings (each run's work on at most one core, no fit): ${esc(items.join('; '))}.</p>`;
}

function sweepTable(sw: SweepResult): string {
  const head = '<tr><th>tasks</th><th>runs</th><th>wall mean (min–max)</th><th>CPU</th><th>parallelism</th><th>speedup (min–max)</th><th>efficiency</th><th>cores used / logical</th></tr>';
  const rows = sw.points.map(
    (p) =>
      `<tr><td class="num">${p.tasks}</td><td class="num">${p.runs}</td><td class="num">${ms(p.wallMs.mean)} (${ms(p.wallMs.min)}–${ms(p.wallMs.max)})</td><td class="num">${ms(p.cpuMs)}</td><td class="num">${p.parallelism.mean.toFixed(2)}</td><td class="num">${p.speedup ? `${p.speedup.mean.toFixed(2)}× (${p.speedup.min.toFixed(2)}–${p.speedup.max.toFixed(2)})` : '–'}</td><td class="num">${p.efficiency !== null ? `${Math.round(p.efficiency * 100)}%` : '–'}</td><td class="num">${Math.round(p.coreShare * 100)}%</td></tr>`,
  );
  return `<table data-table="sweep">${head}${rows.join('')}</table>`;
}

function sweepSection(sw: SweepResult, logicalCores: number, label: string, runs: RunRecord[] = []): string {
  const params = Object.entries(sw.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const series = [{ label, color: PALETTE[0], logicalCores, points: sw.points, fit: sw.amdahl }];
  return `<section data-sweep="${esc(sw.scenario)}"><h3>Sweep: ${esc(sw.scenario)} <small>${esc(params)}, ${sw.repeat}× each${sw.complete ? '' : ', INCOMPLETE'}</small></h3>
${sweepTable(sw)}
<p>${esc(amdahlText(sw))}</p>
${singleRunCeilings(sw, runs)}
<div class="charts">${speedupSvg(series, 'speedup')}${speedupSvg(series, 'share')}</div></section>`;
}

export function sessionReportHtml(session: SessionFile, options: { title?: string } = {}): string {
  const title = options.title ?? `CoreScope session — ${session.hardware.hostname}`;
  const inSweep = new Set((session.sweeps ?? []).flatMap((s) => s.runs.map((r) => r.runId)));
  const parts = [
    `<h1>${esc(title)}</h1>`,
    `<p class="sub">${esc(`${session.format}, recorded ${session.createdAt} with CoreScope ${session.corescopeVersion}; ${session.runs.length} run(s)`)}</p>`,
    session.incomplete ? `<ul class="flags"><li>Incomplete: ${esc(session.incomplete)}</li></ul>` : '',
    '<h2>Machine</h2>',
    hardwareTable(session),
    '<h2>Runs</h2>',
    runsTable(session.runs),
  ];
  if (session.sweeps?.length) {
    parts.push('<h2>Scaling sweeps</h2>');
    for (const sw of session.sweeps) parts.push(sweepSection(sw, session.hardware.cpu.logicalCores, session.hardware.hostname, session.runs));
  }
  parts.push('<h2>Run details</h2>');
  // Runs of a sweep start folded: the sweep tables summarise them.
  session.runs.forEach((r, i) => parts.push(runSection(r, i, !inSweep.has(r.result.runId) && session.runs.length <= 20)));
  return page(title, parts.join('\n'));
}

/** A single run record as a report (wrapped into a minimal page). */
export function runReportHtml(record: RunRecord): string {
  const title = `CoreScope run — ${whatOf(record)}`;
  return page(title, `<h1>${esc(title)}</h1>${runsTable([record])}${runSection(record, 0, true)}`);
}

export function comparisonReportHtml(input: LabelledSession[]): string {
  const cmp = compareSessions(input);
  const title = `CoreScope comparison — ${cmp.labels.join(' vs ')}`;
  const head = `<tr><th></th>${cmp.labels.map((l, i) => `<th style="color:${PALETTE[i % PALETTE.length]}">${esc(l)}</th>`).join('')}</tr>`;
  const hwRows = [...cmp.hardware, ...cmp.runtimes].map((r) => `<tr${r.differs ? ' class="differs"' : ''}><th>${esc(r.field)}</th>${r.values.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`);
  const parts = [
    `<h1>${esc(title)}</h1>`,
    `<p class="sub">${esc(`${input.length} sessions side by side. Rows shaded orange differ between machines.`)}</p>`,
    cmp.flags.length ? `<h2>Differences to keep in mind</h2><ul class="flags" data-flags="global">${cmp.flags.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : '',
    '<h2>Machines</h2>',
    `<table data-table="hardware">${head}${hwRows.join('')}</table>`,
  ];
  if (cmp.scenarios.length) {
    parts.push('<h2>Scenarios side by side</h2>');
    const shead = `<tr><th>scenario</th>${cmp.labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr>`;
    const rows = cmp.scenarios.map((row) => {
      const cells = row.cells.map((c) =>
        c
          ? `<td>${badge(c.verdict)}<br>wall ${ms(c.wallMs)} · CPU ${ms(c.cpuMs)}<br>parallelism ${c.parallelism.toFixed(2)}<br><small>${esc(`${c.params} · ${c.rateHz} Hz · ${c.runtime}`)}</small>${c.ok ? '' : '<br><span class="bad">failed</span>'}</td>`
          : '<td>not recorded</td>',
      );
      const flags = row.flags.length ? `<ul class="flags">${row.flags.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : '';
      return `<tr${row.flags.length ? ' class="differs"' : ''}><th>${esc(row.key)}${flags}</th>${cells.join('')}</tr>`;
    });
    parts.push(`<table data-table="scenarios">${shead}${rows.join('')}</table>`);
  }
  if (cmp.sweeps.length) {
    parts.push('<h2>Scaling: speedup against task count</h2>');
    parts.push('<p class="sub">Left: speedup over the 1-task run, with the ideal line and each machine\'s core count marked (dotted curve: Amdahl fit). Right: the cores\' worth used as a share of each machine\'s logical cores.</p>');
    for (const row of cmp.sweeps) {
      const series = row.series
        .map((s, i) => ({ s, color: PALETTE[i % PALETTE.length] }))
        .filter((x) => x.s.sweep)
        .map(({ s, color }) => ({ label: s.label, color, logicalCores: s.logicalCores, points: s.sweep!.points, fit: s.sweep!.amdahl }));
      const taskCounts = [...new Set(row.series.flatMap((s) => s.sweep?.points.map((p) => p.tasks) ?? []))].sort((a, b) => a - b);
      const thead = `<tr><th>tasks</th>${row.series.map((s) => `<th>${esc(s.label)}: speedup</th><th>cores used / ${s.logicalCores}</th>`).join('')}</tr>`;
      const trows = taskCounts.map((n) => {
        const cells = row.series.map((s) => {
          const p = s.sweep?.points.find((q) => q.tasks === n);
          return p ? `<td class="num">${p.speedup ? `${p.speedup.mean.toFixed(2)}×` : '–'}</td><td class="num">${Math.round(p.coreShare * 100)}%</td>` : '<td>–</td><td>–</td>';
        });
        return `<tr><td class="num">${n}</td>${cells.join('')}</tr>`;
      });
      const fits = row.series.filter((s) => s.sweep).map((s) => `<li>${esc(`${s.label}: ${amdahlText(s.sweep!)}`)}</li>`);
      parts.push(
        `<section data-sweep="${esc(row.scenario)}"><h3>${esc(row.scenario)}</h3>${row.flags.length ? `<ul class="flags">${row.flags.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}<table data-table="speedup">${thead}${trows.join('')}</table><ul>${fits.join('')}</ul><div class="charts">${speedupSvg(series, 'speedup')}${speedupSvg(series, 'share')}</div></section>`,
      );
    }
  }
  return page(title, parts.join('\n'));
}
