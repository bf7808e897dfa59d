// A task's stat line (/proc/<pid>/stat, /proc/<pid>/task/<tid>/stat) as the scripts read it.
// The scripts run as plain .mjs without a TypeScript loader, so they cannot import the engine's
// parser (src/engine/proc/parseTaskStat.ts); this one follows the same rule: the command name
// may contain spaces and parentheses, so the fields start after the LAST ')'.

/**
 * Field `n` of a stat line, numbered as in proc(5): 3 state, 4 ppid, 6 session, 14 utime,
 * 15 stime, … (1 and 2, the pid and the name, are not read here).
 * @param {string} text
 * @param {number} n
 * @returns {string | undefined}
 */
export function statField(text, n) {
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[n - 3];
}
