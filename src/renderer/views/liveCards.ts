// The live cards: the five numbers that tell concurrency from parallelism while a run goes.
import type { LiveBatch } from '../../shared/types';
import { h } from '../util/dom';
import { fmtCores, fmtMs } from '../util/format';

type Live = LiveBatch['live'];

export class LiveCards {
  readonly el = h('section', { class: 'cards', 'data-testid': 'live-cards' });
  private values = new Map<keyof Live, HTMLElement>();

  constructor() {
    const cards: [keyof Live, string, string][] = [
      ['wallMs', 'Wall time', 'time on the clock since start'],
      ['cpuMs', 'CPU time', 'all threads of the workload, summed'],
      ['parallelism', 'Parallelism', 'CPU time ÷ wall time: cores’ worth used at once'],
      ['tasksInFlight', 'Tasks in flight', 'started and not finished (concurrency)'],
      ['lastLagMs', 'Event-loop lag', 'how late the last timer fired'],
    ];
    for (const [key, title, help] of cards) {
      const value = h('div', { class: 'card-value', 'data-card': key }, '—');
      this.values.set(key, value);
      this.el.append(h('div', { class: 'card', title: help }, h('div', { class: 'card-title' }, title), value, h('div', { class: 'card-help' }, help)));
    }
  }

  update(live: Partial<Live> | null): void {
    const set = (k: keyof Live, text: string) => {
      this.values.get(k)!.textContent = text;
    };
    set('wallMs', fmtMs(live?.wallMs));
    set('cpuMs', fmtMs(live?.cpuMs));
    set('parallelism', fmtCores(live?.parallelism));
    set('tasksInFlight', live?.tasksInFlight === undefined ? '—' : String(live.tasksInFlight));
    set('lastLagMs', live?.lastLagMs === null || live?.lastLagMs === undefined ? '—' : fmtMs(live.lastLagMs));
  }
}
