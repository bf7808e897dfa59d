// Where the samplers' per-sample bytes come from. The JavaScript source opens /proc files as
// ProcFiles and reads them when asked (on a Node timer); the native source (nativeSampler.ts)
// hands out files whose bytes a native thread read at the sample's own instant, replayed later.
// The tree and core samplers read through this interface only, so one accounting serves both.
import { ProcFile } from '../proc/procFile';
import { JitterStats } from './jitterStats';
import { loadNativeAddon, type NATIVE_ROLE } from './nativeAddon';
import { NativeSampleSource } from './nativeSampler';
import { samplerNote } from './samplerNote';

/** A /proc file a sampler reads again and again (ProcFile is one). */
export interface SampledFile {
  /** The file's bytes (valid until the next read), or null once the task behind it is gone. */
  readBytes(): Uint8Array | null;
  /** The file's text, or null once the task behind it is gone. */
  read(): string | null;
  /**
   * True when the file reads byte for byte as at the previous read (a schedstat, from the native
   * sampler, which compared them): nothing to parse. Absent or false: read it.
   */
  unchanged?(): boolean;
  close(): void;
}

/** What a file is to the sampler: which ones a pass reads, and when, depends on it. */
export type FileRole = keyof typeof NATIVE_ROLE | 'task-children';

export interface SampleSource {
  readonly kind: 'native' | 'js';
  /** How late each sample was taken against its schedule. */
  readonly jitter: JitterStats;
  /** Opens a file for sampling; null when it does not exist. `pid`/`tid`: whose file it is. */
  open(path: string, role: FileRole, pid?: number, tid?: number): SampledFile | null;
  /** One sentence for the run's fidelity: which sampler measured, and how steadily. */
  note(): string;
  /** Which sampler took the samples: 'native' only when its thread ran. */
  measuredBy(): 'native' | 'js';
  close(): void;
}

/** The sampler in Node: every sample is a timer callback that reads its files there and then. */
export class JsSampleSource implements SampleSource {
  readonly kind = 'js';
  readonly jitter = new JitterStats();

  /** `whyNotNative`: why the native sampler is not measuring (shown in the run's fidelity). */
  constructor(private readonly whyNotNative = 'not requested') {}

  measuredBy(): 'js' {
    return 'js';
  }

  open(path: string): SampledFile | null {
    return ProcFile.open(path);
  }

  note(): string {
    return samplerNote(`the JavaScript sampler (a Node timer; native sampler not used: ${this.whyNotNative})`, this.jitter.summary());
  }

  close(): void {}
}

/** The native sampler where it is built and loads, else the JavaScript one (saying why). */
export function openSampleSource(env: NodeJS.ProcessEnv = process.env): SampleSource {
  const load = loadNativeAddon(env);
  if (!load.addon) return new JsSampleSource(load.reason);
  try {
    return new NativeSampleSource(load.addon);
  } catch (err) {
    return new JsSampleSource(`it failed to start: ${(err as Error).message}`);
  }
}
