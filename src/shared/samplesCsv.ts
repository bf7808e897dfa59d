// A run's samples as CSV: one row per sample, time in ms since the run started, then per core
// the fraction busy in user / system / iowait (0..1), then the workload's cores' worth of CPU.
// Wide rather than long so a spreadsheet plots it directly.
//
// The one writer behind every "Samples CSV" (the app's run export, the session export, the
// CLI's `export --format csv`): the same run must give the same file whichever button made it.
// The engine's writer was kept as the reference (the renderer's was not strictly better): its
// layout, workload_cores after the per-core columns, is the one the tests and the CLI documented;
// and its six decimals keep what was measured, where the renderer's four (and 1 µs on t) rounded
// it away. A value that is missing or not finite (NaN, a column shorter than t) is an empty
// cell, not "NaN" that a spreadsheet would read as text. The last column names the phase each
// sample falls in (shared/phases.ts), when the run has phases: a spreadsheet can then filter or
// colour the rows by what the program was doing.
import type { Phase, RunSamples } from './types';

const cell = (x: number | undefined): string => (x !== undefined && Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : '');

export function samplesToCsv(s: RunSamples, phases: readonly Phase[] = []): string {
  const header = ['t_ms'];
  for (let c = 0; c < s.coreCount; c++) header.push(`cpu${c}_user`, `cpu${c}_system`, `cpu${c}_iowait`);
  header.push('workload_cores');
  if (phases.length) header.push('phase');
  const lines = [header.join(',')];
  let p = 0;
  for (let i = 0; i < s.t.length; i++) {
    const row = [cell(s.t[i])];
    for (let c = 0; c < s.coreCount; c++) row.push(cell(s.coreUser[c]?.[i]), cell(s.coreSystem[c]?.[i]), cell(s.coreIowait[c]?.[i]));
    row.push(cell(s.workloadCores[i]));
    if (phases.length) {
      // Samples and phases are both in time order: one pass.
      while (p < phases.length - 1 && s.t[i] >= phases[p].toMs) p++;
      row.push(s.t[i] >= phases[p].fromMs && s.t[i] <= phases[p].toMs ? phases[p].kind : '');
    }
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
