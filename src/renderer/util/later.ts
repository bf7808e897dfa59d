// A view made later (its code loads after the page is usable): an empty slot holds its place in
// the page, and what is asked of it meanwhile is done, in order, once it is there.
import { h } from './dom';

export class Later<T extends { el: HTMLElement }> {
  private made: T | null = null;
  private readonly waiting: ((view: T) => void)[] = [];
  /** Where the view will be: hidden and empty until then. */
  private readonly slot = h('div', { hidden: true, 'data-later': 'true' });

  /** The view's element once made, else its slot (for mounting). */
  get el(): HTMLElement {
    return this.made?.el ?? this.slot;
  }

  get view(): T | null {
    return this.made;
  }

  /** Now if the view is made, else as soon as it is. */
  use(fn: (view: T) => void): void {
    if (this.made) fn(this.made);
    else this.waiting.push(fn);
  }

  arrive(view: T): void {
    if (this.made) return;
    this.made = view;
    this.slot.replaceWith(view.el);
    for (const fn of this.waiting.splice(0)) fn(view);
  }
}
