// The sweep's controls under the run form (task counts, repeats, Sweep / Stop, "run 3/6"); the
// result is drawn by sweepPanel.ts, which loads with the charts after the page is usable.
import type { ScenarioInfo } from '../../shared/model';
import { h } from '../util/dom';

export class SweepControls {
  readonly el: HTMLElement;
  readonly tasks = h('input', { type: 'text', name: 'sweep-tasks', value: '1,2,4', size: 12, 'data-testid': 'sweep-tasks', 'aria-label': 'task counts' });
  readonly repeat = h('input', { type: 'text', name: 'sweep-repeat', value: '1', size: 3, 'data-testid': 'sweep-repeat', 'aria-label': 'repeats' });
  readonly button = h('button', { type: 'button', 'data-testid': 'sweep-button' }, 'Sweep');
  readonly stop = h('button', { type: 'button', 'data-testid': 'sweep-stop', disabled: true }, 'Stop sweep');
  readonly progress = h('span', { class: 'status', 'data-testid': 'sweep-progress', 'aria-live': 'polite' });
  readonly error = h('span', { class: 'field-error', 'data-testid': 'sweep-error' });

  constructor(onSweep: () => void, onStop: () => void) {
    this.button.addEventListener('click', onSweep);
    this.stop.addEventListener('click', onStop);
    this.tasks.addEventListener('input', () => (this.tasks.dataset.touched = '1'), { once: true });
    this.el = h(
      'div',
      { class: 'sweep-controls', 'data-testid': 'sweep-controls', hidden: true },
      h('strong', {}, 'Scaling sweep'),
      h('label', {}, 'tasks ', this.tasks),
      h('label', {}, 'repeats ', this.repeat),
      this.button,
      this.stop,
      this.progress,
      this.error,
    );
  }

  setScenario(s: ScenarioInfo | null, logicalCores: number): void {
    const spec = s?.params.find((p) => p.name === 'tasks');
    this.el.hidden = !spec;
    if (spec) {
      const max = Math.min(spec.max ?? 64, Math.max(2, logicalCores * 2));
      const counts = [1];
      for (let n = 2; n <= max && counts.length < 5; n *= 2) counts.push(n);
      if (!this.tasks.dataset.touched) this.tasks.value = counts.join(',');
    }
  }
}
