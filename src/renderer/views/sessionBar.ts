// The session toolbar: save the current session (native dialog in Electron, a download in a
// browser), open session files (the native chooser in both), export the session as an HTML
// report or the shown run's trace, and the autosave state. (The shown run's samples CSV is one
// button, in the run's own export row: two buttons with one output only made people wonder.)
import { h } from '../util/dom';

export interface SessionBarActions {
  save(format: 'session-gz' | 'session-json'): void;
  open(files: File[]): void;
  exportAs(format: 'html' | 'trace'): void;
}

export class SessionBar {
  readonly el: HTMLElement;
  readonly status = h('span', { class: 'status', 'data-testid': 'session-status', 'aria-live': 'polite' });
  private readonly count = h('span', { class: 'session-count', 'data-testid': 'session-count' }, 'no runs yet');
  private readonly fileInput = h('input', { type: 'file', multiple: true, accept: '.json,.gz,application/json,application/gzip', 'data-testid': 'session-open-input', hidden: true });
  private readonly buttons: HTMLButtonElement[];

  constructor(actions: SessionBarActions) {
    const format = h('select', { 'data-testid': 'session-format', 'aria-label': 'session file format' }, h('option', { value: 'session-gz' }, '.session.json.gz'), h('option', { value: 'session-json' }, '.session.json'));
    const save = h('button', { type: 'button', 'data-testid': 'session-save', onclick: () => actions.save(format.value as 'session-gz' | 'session-json') }, 'Save session');
    const open = h('button', { type: 'button', 'data-testid': 'session-open', onclick: () => this.fileInput.click() }, 'Open sessions…');
    this.fileInput.addEventListener('change', () => {
      const files = [...(this.fileInput.files ?? [])];
      this.fileInput.value = '';
      if (files.length) actions.open(files);
    });
    const exp = (f: 'html' | 'trace', label: string, title: string) => h('button', { type: 'button', class: 'small', title, 'data-testid': `session-export-${f}`, onclick: () => actions.exportAs(f) }, label);
    const html = exp('html', 'HTML report', 'the whole session as one self-contained HTML page');
    const trace = exp('trace', 'Trace (Perfetto)', 'the shown run as Chrome trace-event JSON');
    this.buttons = [save, html, trace];
    this.el = h(
      'section',
      { class: 'session-bar', 'data-testid': 'session-bar' },
      h('strong', {}, 'Session'),
      this.count,
      save,
      format,
      open,
      this.fileInput,
      h('span', { class: 'sep' }, 'Export:'),
      html,
      trace,
      this.status,
    );
    this.setRuns(0, 0);
  }

  setRuns(runs: number, sweeps: number): void {
    this.count.textContent = runs ? `${runs} run${runs === 1 ? '' : 's'}${sweeps ? `, ${sweeps} sweep${sweeps === 1 ? '' : 's'}` : ''}` : 'no runs yet';
    for (const b of this.buttons) b.disabled = runs === 0;
  }

  /** Hides what this engine cannot do (a stub without session methods). */
  setSupported(ok: boolean): void {
    this.el.hidden = !ok;
  }
}
