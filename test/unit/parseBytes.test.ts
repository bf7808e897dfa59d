// The allocation-free parsers used at every sample must agree with the reference parsers on
// every fixture (real captures and hand-made edge cases).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastPidFromLoadavg } from '../../src/engine/proc/parseLoadavg';
import { CPU_FIELDS, parseCpuLinesBytes, parseCpuStat, type CpuTicks } from '../../src/engine/proc/parseCpuStat';
import { newStatNumbers, parseStatBytes, parseTaskStat, statComm } from '../../src/engine/proc/parseTaskStat';
import { parseSchedstat, parseSchedstatBytes } from '../../src/engine/proc/parseSchedstat';

const dir = join(__dirname, '..', 'fixtures', 'proc');
const files = readdirSync(dir);

describe('parseStatBytes agrees with parseTaskStat', () => {
  for (const f of files.filter((n) => /-stat\.txt$/.test(n))) {
    it(f, () => {
      const bytes = readFileSync(join(dir, f));
      let ref: ReturnType<typeof parseTaskStat> | null = null;
      try {
        ref = parseTaskStat(bytes.toString('utf8'));
      } catch {
        ref = null;
      }
      const out = newStatNumbers();
      const ok = parseStatBytes(bytes, out);
      if (!ref) {
        expect(ok).toBe(false);
        return;
      }
      expect(ok).toBe(true);
      const { state, ppid, utime, stime, cutime, cstime, numThreads, starttime, rssPages, processor } = ref;
      expect(out).toEqual({ state, ppid, utime, stime, cutime, cstime, numThreads, starttime, rssPages, processor });
      expect(statComm(bytes)).toBe(ref.comm);
    });
  }
});

describe('parseSchedstatBytes agrees with parseSchedstat', () => {
  for (const f of files.filter((n) => /schedstat/.test(n))) {
    it(f, () => {
      const bytes = readFileSync(join(dir, f));
      const out = { runNs: 0, waitNs: 0, timeslices: 0 };
      let ref: ReturnType<typeof parseSchedstat> | null = null;
      try {
        ref = parseSchedstat(bytes.toString('utf8'));
      } catch {
        ref = null;
      }
      expect(parseSchedstatBytes(bytes, out)).toBe(ref !== null);
      if (ref) expect(out).toEqual(ref);
    });
  }
});

describe('parseCpuLinesBytes agrees with parseCpuStat', () => {
  const order: (keyof CpuTicks)[] = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
  const check = (bytes: Buffer): void => {
    const ref = parseCpuStat(bytes.toString('utf8'));
    const out = new Float64Array(64 * CPU_FIELDS).fill(-1);
    expect(parseCpuLinesBytes(bytes, out)).toBe(ref.cores.length);
    ref.cores.forEach((c, id) => {
      expect(Array.from(out.subarray(id * CPU_FIELDS, (id + 1) * CPU_FIELDS))).toEqual(order.map((k) => c[k]));
    });
    // An offline core (a hole in the ids) keeps what it had.
    for (let id = 0; id < ref.cores.length; id++) if (!(id in ref.cores)) expect(out[id * CPU_FIELDS]).toBe(-1);
  };
  for (const f of files.filter((n) => /^stat-/.test(n))) it(f, () => check(readFileSync(join(dir, f))));
  it('this machine\'s /proc/stat', () => check(readFileSync('/proc/stat')));
  it('ignores cores beyond the room it has, and a file without per-core lines', () => {
    const bytes = Buffer.from('cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\ncpu1 9 9 9 9 9 9 9 9 0 0\nintr 5\n');
    const one = new Float64Array(CPU_FIELDS);
    expect(parseCpuLinesBytes(bytes, one)).toBe(1);
    expect(Array.from(one)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseCpuLinesBytes(Buffer.from('cpu  1 2 3 4\nintr 5\n'), one)).toBe(-1);
  });
});

describe('lastPidFromLoadavg', () => {
  it('reads the newest pid of the captured file', () => {
    expect(lastPidFromLoadavg(readFileSync(join(dir, 'loadavg.txt')))).toBe(808);
  });
  it('follows this machine: a new process takes a newer pid', () => {
    const before = lastPidFromLoadavg(readFileSync('/proc/loadavg'));
    spawnSync('true');
    const after = lastPidFromLoadavg(readFileSync('/proc/loadavg'));
    expect(before).toBeGreaterThan(0);
    expect(after).not.toBe(before);
  });
  it('rejects what the kernel does not write', () => {
    for (const bad of ['', '\n', '0.1 0.2 0.3 1/2', '0.1 0.2 0.3 1/2 12a', '31691']) expect(lastPidFromLoadavg(Buffer.from(bad))).toBe(-1);
  });
});
