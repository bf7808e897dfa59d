// Option parsing helpers shared by the CLI's commands.
import { InvalidArgumentError } from 'commander';
import type { ParamValue } from '../shared/model';
import { accessSync, constants, statSync } from 'node:fs';
import { checkOutputTarget, parseSshTarget, parseSshTargets, type OutputTarget, type SshTarget } from '../engine';
import { CliInputError } from './exitCodes';

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseFloatOption(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number (got ${JSON.stringify(value)})`);
    return n;
  };
}

/** --stacks: `off`, or stack samples per second (the engine checks the range and names --stacks). */
export function parseStacksOption(value: string): number {
  if (value.trim().toLowerCase() === 'off') return 0;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`--stacks must be off or a number of stack samples per second, 1 to 1000 (got ${JSON.stringify(value)})`);
  return n;
}

/** --env K=V pairs into an object. */
export function parseEnvPairs(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliInputError(`--env must be NAME=VALUE (got ${JSON.stringify(p)})`);
    env[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return env;
}

const camel = (kebab: string): string => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Scenario knobs given as `--work-ms 500` or `--work-ms=500` become `{ workMs: "500" }`; the
 * engine validates names and values against the scenario. A knob without a value is `true`.
 */
export function parseKnobs(tokens: string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  // Defined, not assigned: `--__proto__=x` must reach the engine (which refuses it by name), not vanish.
  const set = (name: string, value: ParamValue): void => void Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (!tok.startsWith('--') || tok.length < 3) throw new CliInputError(`unexpected argument ${JSON.stringify(tok)}; scenario parameters are given as --<name> <value>`);
    const eq = tok.indexOf('=');
    if (eq === 2) throw new CliInputError(`parameter name missing in ${JSON.stringify(tok)}; use --<name>=<value>`);
    if (eq > 0) {
      set(camel(tok.slice(2, eq)), tok.slice(eq + 1));
      continue;
    }
    const next = tokens[i + 1];
    if (next === undefined || next.startsWith('--')) set(camel(tok.slice(2)), true);
    else {
      set(camel(tok.slice(2)), next);
      i++;
    }
  }
  return out;
}

/**
 * Checks before any work that an output file can be written (see checkOutputTarget: a regular
 * file, new or existing and writable, in a folder that exists; never a device, FIFO, socket,
 * folder, /proc or /sys, or one of the command's input files): finding out only after a
 * ten-minute run would lose the recording. Throws an input error (exit 2) naming `option`.
 */
export function checkOutputPath(path: string, option = '--out', inputs: readonly string[] = []): OutputTarget {
  return checkOutputTarget(path, { option, inputs });
}

/** `--on [user@]host[:port]`: the machine to run on (issue #18). */
export function parseOnOption(value: string): SshTarget {
  return parseSshTarget(value, '--on');
}

/** `--on a,b,c` for the suite: several machines. */
export function parseOnListOption(value: string): SshTarget[] {
  return parseSshTargets(value, '--on');
}

/** `--ssh-config FILE`: a file ssh can read (ssh's own complaint would come only after connecting). */
export function parseSshConfigOption(value: string): string {
  try {
    if (!statSync(value).isFile()) throw new Error('not a file');
    accessSync(value, constants.R_OK);
  } catch {
    throw new CliInputError(`--ssh-config: ${JSON.stringify(value)} is not a readable file; give an ssh client config file (as for ssh -F)`);
  }
  return value;
}
