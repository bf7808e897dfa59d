// Parser for /proc/<pid>/task/<tid>/schedstat: "run_ns wait_ns timeslices".

export interface Schedstat {
  runNs: number;
  waitNs: number;
  timeslices: number;
}

export function parseSchedstat(text: string): Schedstat {
  const parts = text.trim().split(/\s+/).map(Number);
  if (parts.length < 3 || parts.some((n) => !Number.isFinite(n))) throw new Error(`malformed schedstat: ${JSON.stringify(text.slice(0, 80))}`);
  return { runNs: parts[0], waitNs: parts[1], timeslices: parts[2] };
}
