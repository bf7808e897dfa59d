// The sentence a run's fidelity carries about its sampler: which one measured, and how close
// to their schedule its samples were taken.
import type { JitterSummary } from './jitterStats';

const ms = (x: number): string => (x < 1 ? x.toFixed(2) : x.toFixed(1));

/** `which`: the sampler, in words; `jitter`: its samples' lateness, if any were taken on schedule. */
export function samplerNote(which: string, jitter: JitterSummary | null, extra = ''): string {
  const timing = jitter ? ` Sample-time jitter (actual − scheduled): p50 ${ms(jitter.p50Ms)} ms, p99 ${ms(jitter.p99Ms)} ms, max ${ms(jitter.maxMs)} ms over ${jitter.samples} samples.` : '';
  return `Sampled by ${which}.${timing}${extra ? ` ${extra}` : ''}`;
}

/** The run's fidelity note with the sampler's sentence added after what was there. */
export function withSamplerNote(note: string | undefined, sampler: string): string {
  return note ? `${note} ${sampler}` : sampler;
}
