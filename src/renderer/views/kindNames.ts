// What each verdict and phase kind is called on screen, and its colour: one table, so the picker,
// the verdict panel, the results table, the comparisons and the strips' legends never disagree.
// Every kind in shared/sessionSchema.ts (VERDICT_KINDS, PHASE_KINDS) must be here; a kind a
// newer file brings falls back to its own word and grey.
import { KIND_COLORS, UNKNOWN_KIND_COLOR } from '../../shared/kindColors';
import type { PhaseKind, VerdictKind } from '../../shared/types';

export const verdictNames: Record<VerdictKind | 'any', string> = {
  interleaved: 'interleaved on ~1 core',
  parallel: 'spread across cores',
  waiting: 'mostly waiting',
  blocked: 'event loop blocked',
  serial: 'serial on one thread',
  contended: 'contended for cores',
  mixed: 'mixed phases',
  failed: 'failed (not judged)',
  any: 'depends on the program',
};

export const phaseNames: Record<PhaseKind, string> = {
  startup: 'start-up',
  serial: 'serial (one thread)',
  interleaved: 'interleaved (took turns)',
  parallel: 'parallel',
  waiting: 'waiting',
  blocked: 'event loop blocked',
  contended: 'contended (wanted more cores)',
  winddown: 'wind-down',
};

/** Strip colours (shared with the HTML report); the same hues as the CSS classes verdict-<kind> in styles.css. */
export const kindColors = KIND_COLORS;

export function verdictName(kind: string): string {
  return (verdictNames as Record<string, string>)[kind] ?? kind;
}

export function phaseName(kind: string): string {
  return (phaseNames as Record<string, string>)[kind] ?? kind;
}

export function kindColor(kind: string): string {
  return (kindColors as Record<string, string>)[kind] ?? UNKNOWN_KIND_COLOR;
}
