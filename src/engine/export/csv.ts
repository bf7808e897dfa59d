// A run's samples as CSV: one row per sample, time in ms since the run started, then per core
// the fraction busy in user / system / iowait (0..1), then the workload's cores' worth of CPU.
import type { RunSamples } from '../../shared/types';

const cell = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : '');

export function samplesToCsv(s: RunSamples): string {
  const header = ['t_ms'];
  for (let c = 0; c < s.coreCount; c++) header.push(`cpu${c}_user`, `cpu${c}_system`, `cpu${c}_iowait`);
  header.push('workload_cores');
  const lines = [header.join(',')];
  for (let i = 0; i < s.t.length; i++) {
    const row = [cell(s.t[i])];
    for (let c = 0; c < s.coreCount; c++) row.push(cell(s.coreUser[c]?.[i] ?? NaN), cell(s.coreSystem[c]?.[i] ?? NaN), cell(s.coreIowait[c]?.[i] ?? NaN));
    row.push(cell(s.workloadCores[i] ?? NaN));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
