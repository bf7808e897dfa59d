// The one place errors are shown, each with what to do about it. Dismissable; never modal, so
// a lost connection or a crashed workload does not freeze the page.
import type { ApiError } from '../transport/apiError';
import { h } from '../util/dom';
import { adviceFor } from './errorAdvice';

export class ErrorBanner {
  readonly el = h('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error-banner', hidden: true });

  show(title: string, err: Pick<ApiError, 'message' | 'code' | 'field'>): void {
    this.el.replaceChildren(
      h('strong', {}, title),
      h('div', { class: 'error-message' }, err.message),
      h('div', { class: 'error-advice' }, adviceFor(err)),
      h('button', { type: 'button', class: 'small', onclick: () => this.hide() }, 'Dismiss'),
    );
    this.el.dataset.code = err.code;
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
