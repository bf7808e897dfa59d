// The allocation-free parsers used at every sample must agree with the reference parsers on
// every fixture (real captures and hand-made edge cases).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newStatNumbers, parseSchedstatBytes, parseStatBytes, statComm } from '../../src/main/engine/proc/parseBytes';
import { parseTaskStat } from '../../src/main/engine/proc/parseTaskStat';
import { parseSchedstat } from '../../src/main/engine/proc/parseSchedstat';

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
      const out = { runNs: 0, waitNs: 0 };
      let ref: ReturnType<typeof parseSchedstat> | null = null;
      try {
        ref = parseSchedstat(bytes.toString('utf8'));
      } catch {
        ref = null;
      }
      expect(parseSchedstatBytes(bytes, out)).toBe(ref !== null);
      if (ref) expect(out).toEqual({ runNs: ref.runNs, waitNs: ref.waitNs });
    });
  }
});
