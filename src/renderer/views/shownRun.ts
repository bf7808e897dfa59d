// One line above the cards that names the run the cards, verdict and charts below show, and says
// when it is not a run of the scenario picked above: picking a scenario keeps the last run on
// screen until the next one starts, and without this line the two read as one.
import type { ScenarioInfo } from '../../shared/model';
import { h } from '../util/dom';
import { exitText, failedOnItsOwn } from './exitText';
import { verdictName } from './kindNames';
import type { RunEntry } from './resultsTable';

export class ShownRun {
  readonly el = h('div', { class: 'shown-run', 'data-testid': 'shown-run' }, 'No run yet: pick a scenario and press Run (or Enter in a field).');

  live(runId: string, title: string): void {
    this.el.textContent = `Showing the live run: ${title}`;
    this.el.className = 'shown-run live';
    this.el.dataset.runId = runId;
  }

  finished(shown: RunEntry | null, scenario: ScenarioInfo | null): void {
    if (!shown) return;
    const r = shown.record.result;
    const other = scenario && (r.scenario ?? 'custom') !== scenario.id;
    const parts: (string | Node)[] = [h('strong', {}, 'Showing: '), `${shown.title} — ${failedOnItsOwn(r) ? `failed (${exitText(r)})` : verdictName(r.verdict.kind)}, run ${r.runId.slice(0, 8)}`];
    if (other) parts.push(h('span', { class: 'not-form', 'data-testid': 'shown-run-other' }, ` — an earlier run, not of “${scenario.title}” above: press Run to replace it.`));
    this.el.replaceChildren(...parts);
    this.el.className = `shown-run${other ? ' other' : ''}`;
    this.el.dataset.runId = r.runId;
  }
}
