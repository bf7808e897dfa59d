// A run's phases in the HTML report: a strip on the run's time axis (one colour per kind, from the
// table the app's strips use too: shared/kindColors.ts), the table of phases in order, and the serial fraction with the Amdahl ceiling it
// implies. Runs recorded before phases existed have none: every function returns '' for them.
// A phase the stack samples explain (issue #15) carries its "which code" line under its evidence.
import { KIND_COLORS, UNKNOWN_KIND_COLOR } from '../../shared/kindColors';
import type { Phase, RunResult } from '../../shared/types';
import { esc } from './svgCharts';

const color = (kind: string): string => (KIND_COLORS as Record<string, string>)[kind] ?? UNKNOWN_KIND_COLOR;
const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The phases as coloured spans on the run's time axis, each with its text as a hover title. */
export function phaseStripSvg(phases: readonly Phase[], wallMs: number, width = 920): string {
  if (!phases.length) return '';
  const left = 56;
  const right = width - 10;
  const tMax = Math.max(wallMs, phases[phases.length - 1].toMs, 1);
  const x = (ms: number): number => left + (ms / tMax) * (right - left);
  const rects = phases.map((p) => {
    const x0 = x(p.fromMs);
    const w = Math.max(1, x(p.toMs) - x0);
    const label = w > 60 ? `<text x="${f1(x0 + w / 2)}" y="17" text-anchor="middle" class="tick" fill="${p.kind === 'startup' || p.kind === 'winddown' ? '#334155' : '#fff'}" style="fill:${p.kind === 'startup' || p.kind === 'winddown' ? '#334155' : '#fff'}">${esc(p.kind)}</text>` : '';
    return `<g data-phase="${esc(p.kind)}"><title>${esc(`${secs(p.fromMs)}–${secs(p.toMs)}: ${p.kind} — ${p.text}${p.code ? ` — which code: ${p.code}` : ''}`)}</title><rect x="${f1(x0)}" y="4" width="${f1(w)}" height="20" fill="${color(p.kind)}"/>${label}</g>`;
  });
  return `<svg class="chart" data-chart="phases" viewBox="0 0 ${width} 44" width="${width}" height="44" role="img" aria-label="phases"><text x="4" y="18" class="tick">phases</text>${rects.join('')}<text x="${left}" y="40" class="tick">0 s</text><text x="${right}" y="40" text-anchor="end" class="tick">${esc(secs(tMax))}</text></svg>`;
}

export function phaseLegend(phases: readonly Phase[]): string {
  const kinds = [...new Set(phases.map((p) => p.kind))];
  return `<div class="legend">${kinds.map((k) => `<span><i style="background:${color(k)}"></i>${esc(k)}</span>`).join('')}</div>`;
}

export function phaseTable(phases: readonly Phase[]): string {
  if (!phases.length) return '';
  const head = '<tr><th>#</th><th>from – to</th><th>kind</th><th>cores used</th><th>cores wanted</th><th>other programs</th><th>threads</th><th>tasks</th><th>evidence</th></tr>';
  const rows = phases.map(
    (p, i) =>
      `<tr data-phase="${esc(p.kind)}"><td class="num">${i + 1}</td><td class="num">${secs(p.fromMs)} – ${secs(p.toMs)}</td><td><i style="display:inline-block;width:10px;height:10px;background:${color(p.kind)}"></i> ${esc(p.kind)}</td><td class="num">${p.cores.toFixed(2)}</td><td class="num">${p.demand.toFixed(2)}</td><td class="num">${p.otherCores.toFixed(2)}</td><td class="num">${p.threads}</td><td class="num">${p.tasks || '–'}</td><td>${esc(p.text)}${p.code ? `<div class="code-line" data-code>which code: ${esc(p.code)}</div>` : ''}</td></tr>`,
  );
  return `<table data-table="phases">${head}${rows.join('')}</table>`;
}

/** "Serial fraction 23 % → Amdahl ceiling 4.3×", or '' without the figure. */
export function serialFractionText(r: Pick<RunResult, 'serialFraction'>): string {
  const sf = r.serialFraction;
  if (!sf) return '';
  const ceiling = sf.ceiling === null ? 'no ceiling (no work ran on one core alone)' : `Amdahl ceiling ${sf.ceiling.toFixed(1)}× on any number of cores`;
  return `Serial fraction from this run: ${Math.round(sf.fraction * 100)} % of the CPU work (${secs(sf.serialWorkMs)} of ${secs(sf.serialWorkMs + sf.parallelWorkMs)}) ran while at most one core was busy — ${ceiling}.`;
}

/** The phase section of one run in the report. */
export function phaseSection(r: RunResult): string {
  const phases = r.phases ?? [];
  const sf = serialFractionText(r);
  if (!phases.length && !sf) return '';
  return `<h3>Phases</h3>${phaseLegend(phases)}${phaseStripSvg(phases, r.wallMs)}${phaseTable(phases)}${sf ? `<p data-serial-fraction>${esc(sf)}</p>` : ''}`;
}
