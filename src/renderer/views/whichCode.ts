// "Which code" in the verdict panel: the run's findings (shared/attribution.ts) — the function
// that blocked an event loop, the thread that held the GIL and what it ran, where threads and
// tasks waited, the hottest code — blocked loops first, longest first, a few at most; each one's
// span selects that stretch in the charts, where the stacks panel shows its code. Without stack
// samples, one quiet line says why.
import type { Finding, RunRecord } from '../../shared/types';
import { h } from '../util/dom';

/** Findings listed at most (one per function and kind: the longest stands for the others). */
export const MAX_FINDINGS_SHOWN = 6;

const KIND_WORDS: Record<Finding['kind'], string> = {
  blocked: 'blocked the loop',
  gil: 'held the GIL',
  waiting: 'waited',
  hot: 'hottest code',
};

const KIND_ORDER: Record<Finding['kind'], number> = { blocked: 0, gil: 1, waiting: 2, hot: 3 };

/** Why a run has no stack samples, in one line; null when it has them. */
export function whyNoStacks(record: RunRecord): string | null {
  if (record.stacks && record.stacks.t.length > 0) return null;
  const r = record.result;
  if (r.attach) return 'No stack samples: CoreScope samples stacks only in programs it launches, not in one it attached to.';
  if (r.params.stacksHz === 0) return 'No stack samples: they were off for this run (Advanced → Stack samples).';
  const warning = r.warnings.find((w) => w.startsWith('No stack samples') || w.startsWith('Stack samples'));
  if (warning) return warning;
  if (r.params.stacksHz === undefined) return 'No stack samples: this run was recorded without them (an older CoreScope).';
  return 'No stack samples: the program ran no Python or Node.js code that CoreScope could sample.';
}

export const spanText = (fromMs: number, toMs: number): string => `${(fromMs / 1000).toFixed(2)}–${(toMs / 1000).toFixed(2)} s`;

/** The findings worth listing: one per (kind, function), the longest of each; blocked loops first, then longest first. */
export function pickFindings(findings: Finding[]): { finding: Finding; alike: number }[] {
  const groups = new Map<string, { finding: Finding; alike: number }>();
  for (const f of findings) {
    const key = `${f.kind}\u0000${f.pid}\u0000${f.frame.name}\u0000${f.frame.file}\u0000${f.frame.line}`;
    const had = groups.get(key);
    if (!had) groups.set(key, { finding: f, alike: 0 });
    else {
      had.alike++;
      if (f.toMs - f.fromMs > had.finding.toMs - had.finding.fromMs) had.finding = f;
    }
  }
  return [...groups.values()]
    .sort((a, b) => KIND_ORDER[a.finding.kind] - KIND_ORDER[b.finding.kind] || b.finding.toMs - b.finding.fromMs - (a.finding.toMs - a.finding.fromMs))
    .slice(0, MAX_FINDINGS_SHOWN);
}

/** The section, or null for a run that has neither findings nor a reason to give. */
export function whichCodeSection(record: RunRecord, select: (fromMs: number, toMs: number) => void): HTMLElement | null {
  const findings = record.result.findings ?? [];
  const why = whyNoStacks(record);
  const items = pickFindings(findings);
  const body: HTMLElement[] = [];
  if (items.length) {
    body.push(
      h(
        'ol',
        { class: 'which-code-list', 'data-testid': 'which-code-list' },
        ...items.map(({ finding: f, alike }) =>
          h(
            'li',
            { 'data-kind': f.kind },
            h(
              'button',
              {
                type: 'button',
                class: 'span-link',
                'data-testid': 'finding-span',
                'data-from-ms': String(f.fromMs),
                'data-to-ms': String(f.toMs),
                title: 'Select this stretch in the charts and show its code',
                onclick: () => select(f.fromMs, f.toMs),
              },
              spanText(f.fromMs, f.toMs),
            ),
            h('span', { class: `finding-kind finding-${f.kind}` }, KIND_WORDS[f.kind] ?? f.kind),
            ` ${f.text}`,
            alike ? h('span', { class: 'alike' }, ` (and ${alike} more like it)`) : null,
          ),
        ),
      ),
    );
  } else if (!why) {
    body.push(h('p', { class: 'quiet', 'data-testid': 'which-code-none' }, `${record.stacks?.t.length ?? 0} stack samples, nothing flagged to explain: drag across the thread lanes to see the code of any stretch.`));
  }
  if (why) body.push(h('p', { class: 'quiet', 'data-testid': 'no-stacks' }, why));
  if (!body.length) return null;
  return h('div', { class: 'which-code', 'data-testid': 'which-code' }, h('h3', {}, 'Which code'), ...body);
}
