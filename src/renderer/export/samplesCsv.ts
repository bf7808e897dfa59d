// CSV of a run's samples, one row per sample: time, the workload's cores' worth, then per core
// user/system/iowait shares. Wide rather than long so a spreadsheet plots it directly.
import type { RunSamples } from '../../shared/types';

export function samplesToCsv(samples: RunSamples): string {
  const header = ['t_ms', 'workload_cores'];
  for (let c = 0; c < samples.coreCount; c++) header.push(`cpu${c}_user`, `cpu${c}_system`, `cpu${c}_iowait`);
  const lines = [header.join(',')];
  const r = (v: number | undefined) => (v === undefined || v === null || Number.isNaN(v) ? '' : String(Math.round(v * 10000) / 10000));
  for (let i = 0; i < samples.t.length; i++) {
    const row = [String(Math.round(samples.t[i] * 1000) / 1000), r(samples.workloadCores[i])];
    for (let c = 0; c < samples.coreCount; c++) row.push(r(samples.coreUser[c]?.[i]), r(samples.coreSystem[c]?.[i]), r(samples.coreIowait[c]?.[i]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
