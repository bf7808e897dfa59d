// Parser for /proc/<pid>/status and task status: the fields the thread sampler needs.

export interface TaskStatus {
  name: string;
  tgid: number;
  ppid: number;
  voluntaryCtx: number;
  involuntaryCtx: number;
  /** Resident set in bytes (process-level; absent for kernel threads). */
  rssBytes: number;
}

export function parseStatus(text: string): TaskStatus {
  const out: TaskStatus = { name: '', tgid: 0, ppid: 0, voluntaryCtx: 0, involuntaryCtx: 0, rssBytes: 0 };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    // Name keeps inner whitespace; only the tab after the colon is the separator.
    const value = line.slice(colon + 1).replace(/^\t/, '');
    switch (key) {
      // The kernel escapes newlines and backslashes here (not in stat): undo it so both agree.
      case 'Name': out.name = value.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')); break;
      case 'Tgid': out.tgid = Number(value.trim()); break;
      case 'PPid': out.ppid = Number(value.trim()); break;
      case 'voluntary_ctxt_switches': out.voluntaryCtx = Number(value.trim()); break;
      case 'nonvoluntary_ctxt_switches': out.involuntaryCtx = Number(value.trim()); break;
      case 'VmRSS': out.rssBytes = Number(value.trim().split(/\s+/)[0]) * 1024; break;
    }
  }
  return out;
}
