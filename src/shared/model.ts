// The scenario catalog's vocabulary: what a scenario is and what its parameters take. Its own
// module (not api.ts) because sweeps and session files use it too, and api.ts imports those.
import type { SystemInfo } from './types';

export type ParamValue = number | string | boolean;

export interface ScenarioParamSpec {
  name: string;
  label: string;
  kind: 'int' | 'number' | 'enum' | 'bool';
  default: ParamValue;
  min?: number;
  max?: number;
  choices?: string[];
  unit?: string;
  help: string;
}

export interface ScenarioInfo {
  id: string;
  title: string;
  runtime: 'python' | 'node' | 'custom';
  explanation: string;
  params: ScenarioParamSpec[];
  expectedVerdict: 'interleaved' | 'parallel' | 'waiting' | 'blocked' | 'any';
}

/** A running program as the attach picker lists it (like a row of top). */
export interface RunningProcess {
  pid: number;
  name: string;
  cmdline: string;
  user: string;
  threads: number;
  /** Share of one core since the previous listing, in %; null on the first listing. */
  cpuPct: number | null;
  /** An interpreter a user most likely wants to look at (python, node, java…). */
  likely: boolean;
}

/** Another machine, reached over ssh (issue #18), as the app's Machines place lists it. */
export interface MachineEntry {
  /** `[user@]host[:port]` as the user gave it (also the `on` of a run there). */
  host: string;
  /** Whether a connection to it is open now. */
  connected: boolean;
  /** When it was last connected (ISO 8601). */
  lastUsed: string;
  /** Its profile, while connected: hardware, runtimes, CoreScope and Node versions there. */
  info?: SystemInfo;
}
