// The scenario list, grouped by runtime the way the article is: Python, Node.js, then your own
// command line. Picking one shows its explanation and its parameter form.
import type { ScenarioInfo } from '../../shared/model';
import { clear, h } from '../util/dom';
import { verdictNames } from './kindNames';

const groups: { runtime: ScenarioInfo['runtime']; title: string }[] = [
  { runtime: 'python', title: 'Python' },
  { runtime: 'node', title: 'Node.js' },
  { runtime: 'custom', title: 'Custom' },
];


export class ScenarioPicker {
  readonly el = h('nav', { class: 'picker', 'data-testid': 'scenario-picker', 'aria-label': 'Scenarios' });
  private selected: string | null = null;

  /** `byUser` is false for the app's own first pick at load, which must not move the keyboard focus. */
  constructor(private readonly onSelect: (scenario: ScenarioInfo, byUser: boolean) => void) {}

  show(scenarios: ScenarioInfo[]): void {
    clear(this.el);
    for (const group of groups) {
      const items = scenarios.filter((s) => s.runtime === group.runtime);
      if (!items.length) continue;
      this.el.append(h('h3', {}, group.title));
      const list = h('ul', {});
      for (const s of items) {
        const button = h(
          'button',
          { type: 'button', class: 'scenario', 'data-scenario': s.id, title: s.explanation, onclick: () => this.select(s) },
          h('span', { class: 'scenario-title' }, s.title),
          s.expectedVerdict !== 'any' ? h('span', { class: `expect expect-${s.expectedVerdict}` }, verdictNames[s.expectedVerdict]) : null,
        );
        list.append(h('li', {}, button));
      }
      this.el.append(list);
    }
  }

  select(s: ScenarioInfo, byUser = true): void {
    this.selected = s.id;
    for (const b of this.el.querySelectorAll<HTMLButtonElement>('button.scenario')) b.classList.toggle('selected', b.dataset.scenario === this.selected);
    this.onSelect(s, byUser);
  }
}
