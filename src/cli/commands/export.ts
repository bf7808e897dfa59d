// `corescope export <session-or-run.json> --format html|csv|json|trace [--run N] [--out FILE]`.
import type { RunRecord } from '../../shared/types';
import type { SessionFile } from '../../shared/sessionSchema';
import { loadSessionOrRun, saveSession, writeFileDurable, runReportHtml, sessionReportHtml, runToTrace } from '../../engine';
import { samplesToCsv } from '../../shared/samplesCsv';
import { CliInputError, EXIT_OK } from '../exitCodes';
import { checkOutputPath } from '../options';
import { terminalSafeLines } from '../../shared/terminalSafe';

export const EXPORT_FORMATS = ['html', 'csv', 'json', 'trace'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOpts {
  format: string;
  run?: string;
  out?: string;
}

function pickRun(runs: RunRecord[], run: string | undefined, file: string, format: string): { record: RunRecord; index: number } {
  if (runs.length === 0) throw new CliInputError(`${file} holds no runs to export as ${format}`);
  if (run === undefined) {
    if (runs.length === 1) return { record: runs[0], index: 0 };
    throw new CliInputError(`${file} holds ${runs.length} runs: choose one for --format ${format} with --run N (1 to ${runs.length})`);
  }
  const n = Number(run);
  if (!Number.isInteger(n) || n < 1 || n > runs.length) throw new CliInputError(`--run must be a whole number from 1 to ${runs.length} (got ${JSON.stringify(run)})`);
  return { record: runs[n - 1], index: n - 1 };
}

export async function exportCommand(file: string, opts: ExportOpts): Promise<number> {
  const format = opts.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new CliInputError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(opts.format)})`);
  // Before reading: the output must be writable, and must not be the file being exported.
  const check = { option: '--out', inputs: [file] };
  if (opts.out !== undefined) checkOutputPath(opts.out, check.option, check.inputs);
  const loaded = await loadSessionOrRun(file);
  const session: SessionFile | null = loaded.kind === 'session' ? loaded.session : null;
  const runs = loaded.kind === 'session' ? loaded.session.runs : [loaded.record];
  let data: string | null = null;
  if (format === 'html') {
    if (session && opts.run === undefined) data = sessionReportHtml(session);
    else data = runReportHtml(pickRun(runs, opts.run, file, format).record);
  } else if (format === 'csv') {
    const picked = pickRun(runs, opts.run, file, format).record;
    data = samplesToCsv(picked.samples, picked.result.phases);
  } else if (format === 'trace') {
    data = JSON.stringify(runToTrace(pickRun(runs, opts.run, file, format).record, { corescopeVersion: session?.corescopeVersion }));
  } else if (opts.run !== undefined || !session) {
    data = JSON.stringify(pickRun(runs, opts.run, file, format).record);
  } else if (opts.out) {
    // The validated session again (gzip when the name ends in .gz).
    await saveSession(opts.out, session, check);
    process.stderr.write(`wrote ${opts.out}\n`);
    return EXIT_OK;
  } else {
    data = JSON.stringify(session);
  }
  if (opts.out) {
    await writeFileDurable(opts.out, data, check);
    process.stderr.write(`wrote ${opts.out}\n`);
  } else {
    // Piped, the data goes out as it is; shown on a terminal, names in it must not act on it.
    const shown = process.stdout.isTTY ? terminalSafeLines(data) : data;
    process.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`);
  }
  return EXIT_OK;
}

