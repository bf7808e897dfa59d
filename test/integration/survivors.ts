// After every run: no process of its tree may be alive (zombies count as gone: they hold no CPU
// and only wait to be reaped).
import { readFileSync, readdirSync } from 'node:fs';
import type { RunRecord } from '../../src/shared/types';

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function pidsOf(record: RunRecord): number[] {
  return [...new Set([...record.samples.processes.map((p) => p.pid), ...record.result.threads.map((t) => t.pid)])];
}

export function survivors(pids: number[]): number[] {
  return pids.filter(alive);
}

/** Waits briefly for the kernel to finish reaping, then lists what is still alive. */
export async function survivorsAfter(record: RunRecord): Promise<number[]> {
  const pids = pidsOf(record);
  for (let i = 0; i < 20; i++) {
    if (survivors(pids).length === 0) return [];
    await new Promise((r) => setTimeout(r, 50));
  }
  return survivors(pids);
}

/** Pids of processes whose command line contains a marker (for trees the test started itself). */
export function pidsWithMarker(marker: string, exclude: number[] = []): number[] {
  const out: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || exclude.includes(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(marker) && alive(pid)) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
