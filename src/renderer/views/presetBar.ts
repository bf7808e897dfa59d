// The article's comparisons, one click each: both sides run in turn and open side by side.
import type { RunRequest } from '../../shared/api';
import type { ScenarioInfo } from '../../shared/model';
import { COMPARE_PRESETS, type ComparePreset } from '../../shared/scenarios';
import { clear, h } from '../util/dom';

export interface PresetRun {
  title: string;
  runs: { request: RunRequest; label: string }[];
}

export function presetRuns(p: ComparePreset): PresetRun {
  return {
    title: p.title,
    runs: [
      { request: { kind: 'scenario', scenario: p.a, params: p.aParams ?? {} }, label: p.aLabel },
      { request: { kind: 'scenario', scenario: p.b, params: p.bParams ?? {} }, label: p.bLabel },
    ],
  };
}

export class PresetBar {
  readonly el = h('section', { class: 'presets', 'data-testid': 'presets' });
  private buttons: HTMLButtonElement[] = [];

  constructor(private readonly onRun: (preset: PresetRun) => Promise<void>) {}

  show(scenarios: ScenarioInfo[]): void {
    clear(this.el);
    this.el.append(h('h3', {}, 'Compare (one click)'));
    const known = new Set(scenarios.map((s) => s.id));
    this.buttons = [];
    for (const p of COMPARE_PRESETS) {
      if (!known.has(p.a) || !known.has(p.b)) continue;
      const button = h(
        'button',
        {
          type: 'button',
          class: 'preset',
          'data-preset': p.id,
          title: p.explanation,
          onclick: () => {
            for (const b of this.buttons) b.disabled = true;
            void this.onRun(presetRuns(p)).finally(() => {
              for (const b of this.buttons) b.disabled = false;
            });
          },
        },
        h('span', { class: 'scenario-title' }, p.title),
        h('span', { class: 'preset-sides' }, `${p.aLabel} vs ${p.bLabel}`),
      );
      this.buttons.push(button);
      this.el.append(button);
    }
  }
}
