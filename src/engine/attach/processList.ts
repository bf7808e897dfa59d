// The running programs a user may attach to, as top shows them: name, pid, user, threads and the
// CPU each used since the previous listing. Kernel threads and CoreScope itself are left out;
// interpreters a user most likely wants (python, node…) are marked. Read from /proc only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { TICK_MS } from '../proc/kernelUnits';
import { tryParseTaskStat } from '../proc/parseTaskStat';
import type { RunningProcess } from '../../shared/model';

const PF_KTHREAD = 0x00200000;
const LIKELY = /^(python[\d.]*|pypy[\d.]*|node|nodejs|deno|bun|java|ruby|php[\d.-]*|perl|dotnet|beam\.smp)$/;

/** Usernames by uid, from /etc/passwd (no child process, no native module). */
function userNames(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && /^\d+$/.test(uid)) names.set(Number(uid), name);
    }
  } catch {
    // Users are shown by number then.
  }
  return names;
}

export class ProcessLister {
  /** CPU ticks of each process (pid:starttime) at the previous listing, and when. */
  private last = new Map<string, number>();
  private lastAt = 0;

  constructor(
    private readonly procRoot = '/proc',
    private readonly selfPid = process.pid,
  ) {}

  list(limit = 500): RunningProcess[] {
    const now = performance.now();
    const elapsedMs = this.lastAt ? now - this.lastAt : 0;
    const users = userNames();
    const next = new Map<string, number>();
    const out: RunningProcess[] = [];
    for (const entry of readdirSync(this.procRoot)) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      let statText: string;
      let uid: number;
      try {
        statText = readFileSync(`${this.procRoot}/${entry}/stat`, 'utf8');
        uid = statSync(`${this.procRoot}/${entry}`).uid;
      } catch {
        continue; // gone, or hidden from us
      }
      const st = tryParseTaskStat(statText);
      if (!st || st.flags & PF_KTHREAD || st.state === 'Z' || pid === this.selfPid) continue;
      const ticks = st.utime + st.stime;
      const key = `${pid}:${st.starttime}`;
      next.set(key, ticks);
      const before = this.last.get(key);
      const cpuPct = before !== undefined && elapsedMs > 0 ? Math.round(((ticks - before) * TICK_MS * 1000) / elapsedMs) / 10 : null;
      let cmdline = '';
      try {
        cmdline = readFileSync(`${this.procRoot}/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 300);
      } catch {
        // shown by name only
      }
      out.push({ pid, name: st.comm, cmdline, user: users.get(uid) ?? String(uid), threads: st.numThreads, cpuPct, likely: LIKELY.test(st.comm) });
    }
    this.last = next;
    this.lastAt = now;
    // Busiest first, then likely candidates, then by pid.
    out.sort((a, b) => (b.cpuPct ?? 0) - (a.cpuPct ?? 0) || Number(b.likely) - Number(a.likely) || a.pid - b.pid);
    return out.slice(0, limit);
  }
}
