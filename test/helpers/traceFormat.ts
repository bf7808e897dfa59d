// Checks of a trace-event file against the format (the JSON Object Format of the Trace Event
// Format document that chrome://tracing and Perfetto read), shared by the exporter's tests.
import type { TraceEvent } from '../../src/engine/export/traceEvents';

/** Checks a trace against the Trace Event Format; returns the problems found. */
export function validateTrace(file: unknown): string[] {
  const problems: string[] = [];
  const f = file as { traceEvents?: unknown; displayTimeUnit?: unknown };
  if (!Array.isArray(f.traceEvents)) return ['traceEvents must be an array'];
  if (f.displayTimeUnit !== undefined && f.displayTimeUnit !== 'ms' && f.displayTimeUnit !== 'ns') problems.push('displayTimeUnit must be ms or ns');
  const stacks = new Map<string, { name: string; ts: number }[]>();
  let lastTs = -Infinity;
  f.traceEvents.forEach((e: Record<string, unknown>, i) => {
    const where = `event ${i} (${JSON.stringify(e).slice(0, 80)})`;
    if (typeof e.name !== 'string' || e.name === '') problems.push(`${where}: name must be a non-empty string`);
    if (typeof e.ph !== 'string' || !['B', 'E', 'X', 'C', 'M', 'i', 'I'].includes(e.ph)) problems.push(`${where}: unknown ph`);
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) problems.push(`${where}: ts must be a finite number ≥ 0`);
    if (!Number.isInteger(e.pid)) problems.push(`${where}: pid must be an integer`);
    if (!Number.isInteger(e.tid)) problems.push(`${where}: tid must be an integer`);
    if (typeof e.ts === 'number') {
      if (e.ts < lastTs) problems.push(`${where}: events are not in time order`);
      lastTs = e.ts;
    }
    if (e.ph === 'X' && (typeof e.dur !== 'number' || !(e.dur >= 0))) problems.push(`${where}: X needs dur ≥ 0`);
    if (e.ph === 'C') {
      const args = e.args as Record<string, unknown> | undefined;
      if (!args || Object.keys(args).length === 0) problems.push(`${where}: C needs args`);
      for (const [k, v] of Object.entries(args ?? {})) if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${where}: counter ${k} must be a finite number`);
    }
    if (e.ph === 'M') {
      if (!['process_name', 'thread_name', 'process_labels', 'process_sort_index', 'thread_sort_index'].includes(e.name as string)) problems.push(`${where}: unknown metadata`);
      if (!e.args || typeof e.args !== 'object') problems.push(`${where}: M needs args`);
    }
    if (e.ph === 'B' || e.ph === 'E') {
      const key = `${e.pid}:${e.tid}`;
      const stack = stacks.get(key) ?? [];
      if (e.ph === 'B') stack.push({ name: e.name as string, ts: e.ts as number });
      else {
        const top = stack.pop();
        if (!top) problems.push(`${where}: E without a B on ${key}`);
        else if (top.name !== e.name) problems.push(`${where}: E closes ${top.name}, not ${e.name as string} (improper nesting)`);
        else if ((e.ts as number) < top.ts) problems.push(`${where}: E before its B`);
      }
      stacks.set(key, stack);
    }
  });
  for (const [key, stack] of stacks) if (stack.length) problems.push(`${key}: ${stack.length} B without E`);
  return problems;
}

/**
 * Slices on one track (pid:tid) that overlap without nesting: what trace viewers drop or warn
 * about. Returns one line per such pair.
 */
export function nestingProblems(events: readonly TraceEvent[]): string[] {
  const problems: string[] = [];
  const tracks = new Map<string, [number, number][]>();
  const open = new Map<string, number[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    const list = tracks.get(key) ?? [];
    tracks.set(key, list);
    if (e.ph === 'X') list.push([e.ts, e.ts + (e.dur ?? 0)]);
    if (e.ph === 'B') open.set(key, [...(open.get(key) ?? []), e.ts]);
    if (e.ph === 'E') {
      const stack = open.get(key)!;
      list.push([stack.pop()!, e.ts]);
    }
  }
  for (const [key, list] of tracks) {
    list.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const stack: [number, number][] = [];
    for (const iv of list) {
      while (stack.length && stack[stack.length - 1][1] <= iv[0]) stack.pop();
      const top = stack[stack.length - 1];
      if (top && iv[1] > top[1]) problems.push(`track ${key}: [${iv}] overlaps [${top}] without nesting`);
      stack.push(iv);
    }
  }
  return problems;
}
