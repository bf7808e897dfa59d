// The hidden temp files a save writes before renaming them over the target
// (`.NAME.PID.RAND.tmp`, beside NAME), and the clean-up of ones a killed save left behind.
import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A temp file of ours older than this is stale even if a process with its PID is alive: PIDs are
 * reused, so a dead writer's PID can belong to an unrelated process that would otherwise keep
 * its leftover forever; and no save takes anywhere near a day.
 */
export const STALE_TEMP_AGE_MS = 24 * 60 * 60 * 1000;

export function tempNameFor(target: string): string {
  return `.${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files that a save of `target` in `dir` left when it was killed (SIGKILL, power
 * loss) before it could rename or delete them. Only ours: the exact pattern for this target name
 * (so another program's or another target's files are never touched), and only when the writer
 * is gone (its PID is not alive) or the file is older than STALE_TEMP_AGE_MS. This process's own
 * temps are left alone unless old: another save of the same file may be under way here (the
 * app's autosave). Returns the names removed; failures to remove are ignored (best effort).
 */
export async function removeStaleTemps(dir: string, target: string, now = Date.now()): Promise<string[]> {
  const pattern = new RegExp(`^\\.${escapeRegExp(target)}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const path = join(dir, name);
    try {
      const st = await stat(path);
      if (!st.isFile()) continue;
      const old = now - st.mtimeMs > STALE_TEMP_AGE_MS;
      if (!old && (pid === process.pid || alive(pid))) continue;
      await unlink(path);
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}
