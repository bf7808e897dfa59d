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
