// What a command that was cut short may do to the file named by --out.
//
// The rule: nothing recorded is never written (an existing file is left as it was, and no empty
// session is created). An interrupted recording (the user ended it before its plan finished)
// never replaces an existing non-empty file: it holds less than was asked for, and we cannot tell
// whether the file there holds more, so it is saved to a new file beside it
// (NAME.incomplete-<time>.EXT) and neither is lost. A recording whose plan ran to its end
// replaces the file as asked, even when some of its runs failed: that is what this machine did.
// A 0-byte file holds nothing and may be replaced.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { terminalSafe } from '../shared/terminalSafe';
import { checkOutputPath } from './options';

/** A path for a message on the terminal: quoted, control characters shown, not obeyed. */
const q = (s: string): string => terminalSafe(JSON.stringify(s));

const pad = (n: number): string => String(n).padStart(2, '0');

/** `keep.session.json.gz` → `keep.incomplete-20250102-030405.session.json.gz` (the ending kept, so the kind of file is kept). */
export function besideName(path: string, when: Date): string {
  const name = basename(path);
  const ending = /\.session\.json(\.gz)?$/i.exec(name)?.[0] ?? /\.[^.]+(\.gz)?$/i.exec(name.replace(/^\.+/, ''))?.[0] ?? '';
  const stem = name.slice(0, name.length - ending.length);
  const stamp = `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  for (let n = 1; ; n++) {
    const candidate = join(dirname(path), `${stem}.incomplete-${stamp}${n > 1 ? `-${n}` : ''}${ending}`);
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * Where to save what a command recorded (see the rule above), or null to write nothing; says on
 * stderr why when it is not `path`. `what` names the command ("sweep", "run").
 */
export function savePathFor(path: string, option: string, recorded: { runs: number; interrupted: boolean; what: string }, when = new Date()): string | null {
  const { existing } = checkOutputPath(path, option);
  const holds = existing !== null && existing.size > 0;
  if (recorded.runs === 0) {
    process.stderr.write(`nothing was recorded: ${q(path)} ${holds ? 'is left as it was' : 'is not written'}\n`);
    return null;
  }
  if (!recorded.interrupted || !holds) return path;
  const aside = besideName(path, when);
  process.stderr.write(`the ${recorded.what} was interrupted and ${q(path)} already holds a file: it is left as it was, and what was recorded goes to ${q(aside)}\n`);
  return aside;
}
