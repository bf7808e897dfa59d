// What each field of a run request is called at each front door. The engine checks requests in
// the API's own terms (`rateHz`, `params.workMs`); a person who typed `--rate` on the command line
// or filled in "Sampling rate" in the form must read the name they typed in the message, not the
// API's. This table is the one place those names meet; the doors rename through atDoor().
import { SCENARIOS, getScenario } from './scenarios';

/** api: the WebSocket/IPC call (names as they are); cli: the corescope options; form: the app's labels. */
export type Door = 'api' | 'cli' | 'form';

/** The requests' own fields (a run's, and a sweep's two). Scenario parameters are derived below from the catalog. */
const RUN_FIELDS: Record<string, Record<Exclude<Door, 'api'>, string>> = {
  taskCounts: { cli: '--tasks', form: 'task counts' },
  repeat: { cli: '--repeat', form: 'repeats' },
  rateHz: { cli: '--rate', form: 'Sampling rate' },
  timeoutS: { cli: '--timeout', form: 'Timeout' },
  stacksHz: { cli: '--stacks', form: 'Stack samples' },
  cmd: { cli: '--cmd', form: 'Command line' },
  cwd: { cli: '--cwd', form: 'Working folder' },
  env: { cli: '--env', form: 'Environment' },
  python: { cli: '--python', form: 'Python' },
  node: { cli: '--node', form: 'Node.js' },
  on: { cli: '--on', form: 'Run on' },
  host: { cli: '--on', form: 'Machine' },
};

const kebab = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Scenario parameters: `--work-ms` on the command line (parseKnobs maps it back), the catalog's
 * label in the form. A few names carry a different label in different scenarios (`op`): given
 * the scenario, its own label is used; without it, the first one in the catalog.
 */
const PARAM_FIELDS: Record<string, Record<Exclude<Door, 'api'>, string>> = {};
for (const s of SCENARIOS) for (const p of s.params) PARAM_FIELDS[p.name] ??= { cli: `--${kebab(p.name)}`, form: p.label };

/** A table entry by its own key only: a field called "constructor" is not the table's. */
const own = <T>(table: Record<string, T>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

/** The name of an API field (`rateHz`, `params.workMs`, `workMs`) at a door; unknown fields keep their name. */
export function fieldName(field: string, door: Door, scenarioId?: string): string {
  if (door === 'api') return field;
  const param = field.startsWith('params.') ? field.slice('params.'.length) : own(RUN_FIELDS, field) ? null : field;
  if (param !== null && door === 'form' && scenarioId !== undefined) {
    const label = getScenario(scenarioId)?.params.find((p) => p.name === param)?.label;
    if (label) return label;
  }
  const entry = param !== null ? own(PARAM_FIELDS, param) : own(RUN_FIELDS, field);
  return entry ? entry[door] : field;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NAMES = [...Object.keys(RUN_FIELDS), ...Object.keys(PARAM_FIELDS).flatMap((n) => [`params.${n}`, n])].sort((a, b) => b.length - a.length);
/** A field named as the subject of a message: at its start or after "; ", followed by " must", " is" or ":". */
const SUBJECT = new RegExp(`(^|; )(${NAMES.map(escapeRe).join('|')})(?=( must| is|:))`, 'g');

/** The list of a scenario's parameters after an unknown one ("… (allowed: tasks, workMs)"). */
const ALLOWED = /\(allowed: ([\w, ]+)\)/g;
/** The unknown parameter itself, as parseKnobs turned `--some-name` into `someName`. */
const UNKNOWN = /unknown parameter "(\w+)"/g;

/**
 * A validation message as a door shows it: every field the message is about, named as that door
 * names it. Messages are written with the field as their subject ("rateHz must be…", "cwd: …",
 * several joined by "; "), which is what is renamed, with the list of allowed parameters and an
 * unknown one; the rest of the text is left alone.
 */
export function atDoor(message: string, door: Door, scenarioId?: string): string {
  if (door === 'api') return message;
  return message
    .replace(SUBJECT, (_, lead: string, name: string) => `${lead}${fieldName(name, door, scenarioId)}`)
    .replace(ALLOWED, (_, list: string) => `(allowed: ${list.split(', ').map((n) => fieldName(n, door, scenarioId)).join(', ')})`)
    .replace(UNKNOWN, (whole, name: string) => (door === 'cli' ? `unknown option --${kebab(name)}` : whole));
}
