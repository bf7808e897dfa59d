// Validation of scenario parameters at the engine's door: every front end (IPC, WebSocket,
// CLI --param) sends loosely typed values, and a message must name the field and what is allowed.
import type { ParamValue, ScenarioParamSpec } from './model';
import { SCENARIOS, getScenario } from './scenarios';

export interface ParamError {
  field: string;
  message: string;
}

export type ParamValidation =
  | { ok: true; params: Record<string, ParamValue> }
  | { ok: false; errors: ParamError[] };

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

function rangeText(spec: ScenarioParamSpec): string {
  const what = spec.kind === 'int' ? 'an integer' : 'a number';
  const unit = spec.unit ? ` ${spec.unit}` : '';
  if (spec.min !== undefined && spec.max !== undefined) return `${what} from ${spec.min} to ${spec.max}${unit}`;
  if (spec.min !== undefined) return `${what} of at least ${spec.min}${unit}`;
  if (spec.max !== undefined) return `${what} of at most ${spec.max}${unit}`;
  return what;
}

/** Numbers may arrive as strings from command lines ("4"); anything else non-numeric is wrong. */
function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v.trim())) return Number(v);
  return undefined;
}

/** One value against its spec: the normalised value, or the message naming the field. */
export function checkParam(spec: ScenarioParamSpec, raw: unknown): { value: ParamValue } | { message: string } {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const n = asNumber(raw);
      const ok =
        n !== undefined && Number.isFinite(n) && (spec.kind === 'number' || Number.isInteger(n)) &&
        (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
      return ok ? { value: n } : { message: `${spec.name} must be ${rangeText(spec)} (got ${show(raw)})` };
    }
    case 'enum': {
      const choices = spec.choices ?? [];
      return typeof raw === 'string' && choices.includes(raw)
        ? { value: raw }
        : { message: `${spec.name} must be one of ${choices.join(', ')} (got ${show(raw)})` };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { message: `${spec.name} must be true or false (got ${show(raw)})` };
    }
  }
}

/** Validates raw params for a scenario and fills in defaults for the ones not given. */
export function validateScenarioParams(scenarioId: string, raw: Record<string, unknown>): ParamValidation {
  const scenario = getScenario(scenarioId);
  if (!scenario) {
    const known = SCENARIOS.map((s) => s.id).join(', ');
    return { ok: false, errors: [{ field: 'scenario', message: `unknown scenario ${JSON.stringify(scenarioId)} (known: ${known})` }] };
  }
  const errors: ParamError[] = [];
  const params: Record<string, ParamValue> = {};
  const names = new Set(scenario.params.map((p) => p.name));
  for (const key of Object.keys(raw ?? {})) {
    if (!names.has(key)) {
      const allowed = scenario.params.length ? `allowed: ${[...names].join(', ')}` : 'it takes no parameters';
      errors.push({ field: key, message: `unknown parameter ${JSON.stringify(key)} for ${scenarioId} (${allowed})` });
    }
  }
  for (const spec of scenario.params) {
    const v = raw?.[spec.name];
    if (v === undefined) {
      params[spec.name] = spec.default;
      continue;
    }
    const r = checkParam(spec, v);
    if ('value' in r) params[spec.name] = r.value;
    else errors.push({ field: spec.name, message: r.message });
  }
  return errors.length ? { ok: false, errors } : { ok: true, params };
}

export function defaultScenarioParams(scenarioId: string): Record<string, ParamValue> | undefined {
  const s = getScenario(scenarioId);
  return s && Object.fromEntries(s.params.map((p) => [p.name, p.default]));
}
