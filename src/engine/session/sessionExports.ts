// A session, or one run of it, as the file a user exports: the session itself (gzipped or
// plain JSON), its HTML report, or one run's samples as CSV or its trace. One place for every
// export, whether the session is this machine's (appSessions.ts) or a run kept from another
// machine whose connection was lost (remote/remoteRuns.ts).
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ExportedFile } from '../../shared/apiOverCall';
import type { SessionExportFormat } from '../../shared/argSchemas';
import { InputError } from '../../shared/runLimits';
import { samplesToCsv } from '../../shared/samplesCsv';
import { serializeSession, type SessionFile } from '../../shared/sessionSchema';
import { sessionReportHtml } from '../export/htmlReport';
import { runToTrace } from '../export/traceEvents';

const gzipAsync = promisify(gzip);

/** A session file is bytes; every other export is text. */
export type ExportData<F extends SessionExportFormat> = F extends 'session-gz' ? Uint8Array : string;

const safeName = (s: string): string => s.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'corescope';

/** `session` as `format`; csv and trace export one run (`runId`, or the last one). */
export async function exportSessionAs(session: SessionFile, format: SessionExportFormat, runId?: string): Promise<ExportedFile> {
  const base = `corescope-${safeName(session.hardware.hostname)}-${session.createdAt.slice(0, 19).replace(/[:T]/g, '-')}`;
  switch (format) {
    case 'session-gz':
      return { name: `${base}.session.json.gz`, mime: 'application/gzip', data: await gzipAsync(Buffer.from(serializeSession(session)), { level: 6 }) };
    case 'session-json':
      return { name: `${base}.session.json`, mime: 'application/json', data: serializeSession(session) };
    case 'html':
      return { name: `${base}.html`, mime: 'text/html', data: sessionReportHtml(session) };
    case 'csv':
    case 'trace': {
      const record = runId === undefined ? session.runs[session.runs.length - 1] : session.runs.find((r) => r.result.runId === runId);
      if (!record) throw new InputError('runId', runId === undefined ? 'the session holds no runs to export' : `the session holds no run ${JSON.stringify(runId)}`);
      const name = safeName(`${record.result.scenario ?? 'run'}-${record.result.runId}`);
      if (format === 'csv') return { name: `${name}-samples.csv`, mime: 'text/csv', data: samplesToCsv(record.samples, record.result.phases) };
      return { name: `${name}.trace.json`, mime: 'application/json', data: JSON.stringify(runToTrace(record, { corescopeVersion: session.corescopeVersion })) };
    }
  }
}
