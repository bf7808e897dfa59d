// The scenario catalog's vocabulary: what a scenario is and what its parameters take. Its own
// module (not api.ts) because sweeps and session files use it too, and api.ts imports those.
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
