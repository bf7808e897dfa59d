// The colour of each verdict and phase kind: one table for the app's strips and legends
// (renderer/views/kindNames.ts) and the HTML report's badges and phase strip
// (engine/export/phaseReport.ts), so the two never disagree.
import type { PhaseKind, VerdictKind } from './types';

export const KIND_COLORS: Record<VerdictKind | PhaseKind, string> = {
  startup: '#cbd5e1',
  winddown: '#e2e8f0',
  serial: '#7c3aed',
  interleaved: '#f59e0b',
  parallel: '#16a34a',
  waiting: '#64748b',
  blocked: '#dc2626',
  contended: '#db2777',
  mixed: '#0891b2',
  failed: '#991b1b',
};

/** A kind a newer file brings, not in the table: grey. */
export const UNKNOWN_KIND_COLOR = '#94a3b8';
