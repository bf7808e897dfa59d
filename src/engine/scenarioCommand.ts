// Turns a catalog scenario plus validated params into the argv and environment to spawn.
// Pure Node (no electron): the CLI, `serve` and the Electron main process all use it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParamValue } from '../shared/model';
import { SCENARIO_PROGRAMS, getScenario } from '../shared/scenarios';
import { validateScenarioParams } from '../shared/scenarioParams';

export interface ScenarioCommand {
  argv: string[];
  /** Added to the environment the engine spawns with (the engine adds CORESCOPE_EVENT_FD). */
  env: Record<string, string>;
}

export interface ScenarioRuntimes {
  python: string;
  node: string;
}

/** workMs -> --work-ms: the programs' flags are the catalog's param names in kebab case. */
export function paramFlag(name: string): string {
  return '--' + name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function flagValue(v: ParamValue): string {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
}

/**
 * argv/env for one scenario. Params are validated (and defaulted) here again: this is the
 * last stop before a process is spawned, whatever front end the request came through.
 * Throws on an unknown or custom scenario or on invalid params.
 */
export function buildScenarioCommand(
  scenarioId: string,
  params: Record<string, ParamValue>,
  runtimes: ScenarioRuntimes,
  workloadsDir: string,
): ScenarioCommand {
  const scenario = getScenario(scenarioId);
  const program = SCENARIO_PROGRAMS[scenarioId];
  if (!scenario || !program) {
    throw new Error(
      scenario?.runtime === 'custom'
        ? 'the custom scenario has no program: run its command line instead'
        : `unknown scenario ${JSON.stringify(scenarioId)}`,
    );
  }
  const checked = validateScenarioParams(scenarioId, params);
  if (!checked.ok) throw new Error(checked.errors.map((e) => e.message).join('; '));

  const file = path.join(workloadsDir, program.file);
  const flags = scenario.params.flatMap((spec) => [paramFlag(spec.name), flagValue(checked.params[spec.name])]);
  const env: Record<string, string> = {};
  for (const [param, variable] of Object.entries(program.env ?? {})) env[variable] = flagValue(checked.params[param]);

  if (scenario.runtime === 'python') {
    // -u: output arrives as it is printed; no .pyc files written into the (maybe read-only) app dir.
    env.PYTHONUNBUFFERED = '1';
    env.PYTHONDONTWRITEBYTECODE = '1';
    return { argv: [runtimes.python, '-u', file, ...flags], env };
  }
  // Harmless for a real node; makes Electron's own binary behave as node (and its forks too).
  env.ELECTRON_RUN_AS_NODE = '1';
  return { argv: [runtimes.node, file, ...flags], env };
}

let cachedDir: string | undefined;

/**
 * The directory holding the scenario programs: the nearest `workloads/` (with python/ and
 * node/ in it) walking up from this module, so it works from src/ (tsx, vitest), out/cli/ and
 * out/main/ alike. CORESCOPE_WORKLOADS_DIR overrides, e.g. for a packaged app.
 */
export function findWorkloadsDir(from?: string): string {
  const override = process.env.CORESCOPE_WORKLOADS_DIR;
  if (override) return path.resolve(override);
  if (!from && cachedDir) return cachedDir;
  let dir = from ?? moduleDir();
  for (;;) {
    const candidate = path.join(dir, 'workloads');
    if (fs.existsSync(path.join(candidate, 'python')) && fs.existsSync(path.join(candidate, 'node'))) {
      if (!from) cachedDir = candidate;
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `cannot find the workloads/ directory above ${from ?? moduleDir()}; set CORESCOPE_WORKLOADS_DIR to its path`,
  );
}

function moduleDir(): string {
  // ESM (src via tsx/vitest, out/ bundles) has import.meta.url; a CJS bundle has __dirname.
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return typeof __dirname === 'string' ? __dirname : process.cwd();
  }
}
