// Which processes get lanes, and what they are called. A `python3` that is a pyenv shim starts a
// dozen short-lived shells and helpers before the interpreter that does the work; a lane each
// buried the two threads that mattered. So processes that did almost nothing are folded into one
// line ("+ N quiet processes") that a button unfolds, and a process is never named by CoreScope's
// own launcher: a child caught before it exec'd still reads "keeper.py FD PID -- cmd".
import type { ProcessInfo } from '../../shared/types';
import type { SeriesStore, ThreadSeries } from '../state/seriesStore';

/** A process whose CPU is below this share of the busiest one's did nothing worth a lane. */
export const QUIET_SHARE = 0.03;
/** …and, when nothing was busy at all (a waiting program), one alive for under this share of the run. */
export const SHORT_LIVED_SHARE = 0.5;

const KEEPER = /(?:^|\s|\/)keeper\.py\s+\d+\s+\d+\s+--\s+(.*)$/s;

/** The workload's own command line, never the keeper's wrapper around it. */
export function displayCommand(cmdline: string): string {
  const m = KEEPER.exec(cmdline);
  return m ? m[1] : cmdline;
}

export function isKeeper(cmdline: string): boolean {
  return KEEPER.test(cmdline);
}

export interface LanePick {
  /** Process ids to draw, in order. */
  shown: number[];
  /** Folded away (quiet or short-lived), when not showing all. */
  hidden: number[];
}

interface ProcStats {
  pid: number;
  cpu: number;
  aliveSamples: number;
}

function stats(store: SeriesStore, byPid: Map<number, ThreadSeries[]>): ProcStats[] {
  const out: ProcStats[] = [];
  for (const [pid, threads] of byPid) {
    let cpu = 0;
    let alive = 0;
    for (let i = store.first; i < store.count; i++) {
      const s = store.slot(i);
      let any = false;
      for (const t of threads) {
        const v = t.cpu[s];
        if (Number.isNaN(v)) continue;
        cpu += v;
        any = true;
      }
      if (any) alive++;
    }
    out.push({ pid, cpu, aliveSamples: alive });
  }
  return out;
}

/** Splits the processes with threads into those drawn and those folded away. */
export function pickLaneProcesses(store: SeriesStore, byPid: Map<number, ThreadSeries[]>, processes: ProcessInfo[], showAll: boolean): LanePick {
  const keeperPids = new Set(processes.filter((p) => isKeeper(p.cmdline) && !byPid.has(p.pid)).map((p) => p.pid));
  const all = [...byPid.keys()].filter((pid) => !keeperPids.has(pid)).sort((a, b) => a - b);
  if (showAll || all.length <= 1) return { shown: all, hidden: [] };
  const st = stats(store, byPid);
  const top = st.reduce((a, b) => (b.cpu > a.cpu ? b : a));
  const held = Math.max(1, store.size);
  const quiet = (p: ProcStats): boolean => {
    if (p.pid === top.pid) return false;
    if (top.cpu > 0 && p.cpu < QUIET_SHARE * top.cpu) return true;
    return top.cpu === 0 && p.aliveSamples < SHORT_LIVED_SHARE * held;
  };
  const hidden = new Set(st.filter(quiet).map((p) => p.pid));
  return { shown: all.filter((p) => !hidden.has(p)), hidden: all.filter((p) => hidden.has(p)) };
}
