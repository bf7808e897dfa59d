// Units the kernel reports in: USER_HZ ticks (100 per second on every Linux ABI in use) and pages.
import { readProcOnce } from './procFile';

export const TICK_MS = 10;

let cachedPageSize: number | null = null;

/** Page size in bytes, derived from our own RSS in pages (statm) and in kB (status). */
export function pageSizeBytes(): number {
  if (cachedPageSize !== null) return cachedPageSize;
  cachedPageSize = 4096;
  const statm = readProcOnce('/proc/self/statm');
  const status = readProcOnce('/proc/self/status');
  const pages = statm ? Number(statm.split(' ')[1]) : NaN;
  const kb = status ? Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) : NaN;
  if (pages > 0 && kb > 0) {
    const guess = (kb * 1024) / pages;
    // Round to the nearest power of two: the two readings are taken a moment apart.
    cachedPageSize = 2 ** Math.round(Math.log2(guess));
  }
  return cachedPageSize;
}
