// Text shown on a terminal that came from outside CoreScope — a workload's thread and process
// names, metric names, its command line and stderr, names inside a session file — passes through
// here first. A terminal obeys control characters: ESC sequences recolour, retitle the window or
// erase lines, CR returns to the start of a line to overwrite it with a fake verdict. Each is
// shown instead as a visible `\xHH` escape, so what the workload sent is still readable but
// cannot act.

/** C0 (incl. ESC, BEL, CR, LF, TAB), DEL and C1 (incl. the 8-bit CSI \x9b). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides and isolates: they reorder how the rest of a line is displayed. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number): string => c.charCodeAt(0).toString(16).padStart(width, '0');

/** One line of text, every control character escaped (newlines too: a name is one line). */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${hex(c, 2)}`).replace(BIDI, (c) => `\\u${hex(c, 4)}`);
}

/** Several lines (a stderr tail): the line breaks kept, everything else as in terminalSafe. */
export function terminalSafeLines(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 characters, but leaves DEL, C1 and the
 * bidi controls raw inside strings; they become \u escapes, which decode to the same value.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${hex(c, 4)}`);
}
