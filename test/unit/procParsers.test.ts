// Every /proc parser on every fixture (test/fixtures/proc/README.md says where each came from).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseChildren } from '../../src/engine/proc/parseChildren';
import { parseCpuStat } from '../../src/engine/proc/parseCpuStat';
import { parseSchedstat } from '../../src/engine/proc/parseSchedstat';
import { parseTaskStat } from '../../src/engine/proc/parseTaskStat';

const dir = fileURLToPath(new URL('../fixtures/proc', import.meta.url));
const fixture = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

describe('parseCpuStat', () => {
  it('reads the total and both cores of a real 2-core /proc/stat', () => {
    const s = parseCpuStat(fixture('stat-2cpu.txt'));
    expect(s.total).toEqual({ user: 42493, nice: 38, system: 7597, idle: 97458, iowait: 493, irq: 0, softirq: 265, steal: 134 });
    expect(s.cores).toHaveLength(2);
    expect(s.cores[0]).toEqual({ user: 19985, nice: 28, system: 3365, idle: 50633, iowait: 66, irq: 0, softirq: 109, steal: 67 });
    expect(s.cores[1]).toEqual({ user: 22508, nice: 9, system: 4231, idle: 46825, iowait: 427, irq: 0, softirq: 156, steal: 67 });
  });

  it('keeps cores at their ids when one is offline: cpu1 absent, cpu2 at index 2', () => {
    const s = parseCpuStat(fixture('stat-offline-cpu1.txt'));
    expect(s.cores).toHaveLength(3);
    expect(s.cores[0]).toEqual({ user: 20000, nice: 10, system: 3600, idle: 100200, iowait: 300, irq: 0, softirq: 120, steal: 40 });
    expect(1 in s.cores).toBe(false);
    expect(s.cores[1]).toBeUndefined();
    expect(s.cores[2]).toEqual({ user: 20100, nice: 2, system: 3700, idle: 100300, iowait: 300, irq: 0, softirq: 130, steal: 50 });
    expect(s.total.user).toBe(40100);
  });

  it('reads an old kernel\'s 7-counter lines with steal as 0', () => {
    const s = parseCpuStat(fixture('stat-old-kernel-no-steal.txt'));
    expect(s.total).toEqual({ user: 500, nice: 5, system: 300, idle: 9000, iowait: 40, irq: 1, softirq: 2, steal: 0 });
    expect(s.cores.map((c) => c.steal)).toEqual([0, 0]);
    expect(s.cores[1].nice).toBe(3);
  });

  it('ignores what follows the cpu lines (intr, ctxt, softirq…)', () => {
    const text = fixture('stat-2cpu.txt');
    // A stray "cpu"-looking line after the block must not become a core.
    const s = parseCpuStat(`${text}\ncpu7 1 1 1 1 1 1 1 1 0 0\n`);
    expect(s.cores).toHaveLength(2);
  });

  it('throws a clear error when there is no total "cpu" line', () => {
    expect(() => parseCpuStat('')).toThrow('/proc/stat has no "cpu" line');
    expect(() => parseCpuStat('intr 1 2 3\nctxt 4\n')).toThrow('/proc/stat has no "cpu" line');
    expect(() => parseCpuStat('cpu0 1 2 3 4 5 6 7 8\n')).toThrow('/proc/stat has no "cpu" line');
  });
});

describe('parseTaskStat', () => {
  it('reads a real process stat line (python3 with 2 spinning threads)', () => {
    expect(parseTaskStat(fixture('pid-python-stat.txt'))).toEqual({
      pid: 14591,
      comm: 'python3',
      state: 'S',
      ppid: 14587,
      pgrp: 14587,
      session: 13493,
      flags: 4194304,
      utime: 124,
      stime: 3,
      cutime: 22,
      cstime: 2,
      numThreads: 3,
      starttime: 74405,
      rssPages: 3401,
      processor: 0,
    });
  });

  it('reads the task files of the same process: per-thread utime, process-wide cutime', () => {
    const main = parseTaskStat(fixture('task-python-main-stat.txt'));
    const t1 = parseTaskStat(fixture('task-python-thread1-stat.txt'));
    const t2 = parseTaskStat(fixture('task-python-thread2-stat.txt'));
    expect([main.pid, t1.pid, t2.pid]).toEqual([14591, 14633, 14634]);
    expect([main.state, t1.state, t2.state]).toEqual(['S', 'R', 'R']);
    expect([main.utime, t1.utime, t2.utime]).toEqual([3, 62, 61]);
    expect([main.stime, t1.stime, t2.stime]).toEqual([2, 0, 0]);
    expect([t1.starttime, t2.starttime]).toEqual([74422, 74422]);
    expect(t1.numThreads).toBe(3);
    expect(t1.processor).toBe(0);
    // The kernel reports the process's waited-for-children time in every task file too
    // (do_task_stat reads sig->cutime whether or not whole is set).
    expect([main.cutime, t1.cutime, t2.cutime]).toEqual([22, 22, 22]);
    expect(t1.cstime).toBe(2);
  });

  it('keeps a real comm with spaces and parentheses whole: "a) b (c"', () => {
    const s = parseTaskStat(fixture('pid-weird-name-stat.txt'));
    expect(s.comm).toBe('a) b (c');
    expect(s.pid).toBe(14914);
    expect(s.state).toBe('S');
    expect(s.ppid).toBe(14912);
    expect([s.utime, s.stime, s.cutime, s.cstime]).toEqual([7, 1, 4, 3]);
    expect(s.numThreads).toBe(1);
    expect(s.rssPages).toBe(3411);
    expect(s.processor).toBe(1);
  });

  it('is not fooled by a comm that looks like fields: "x) R 1 2 (y"', () => {
    const s = parseTaskStat(fixture('pid-fake-fields-name-stat.txt'));
    expect(s.comm).toBe('x) R 1 2 (y');
    expect(s.state).toBe('S');
    expect(s.ppid).toBe(14912);
    expect(s.pgrp).toBe(14912);
    expect(s.session).toBe(13493);
    expect([s.utime, s.stime, s.cutime, s.cstime]).toEqual([5, 1, 6, 1]);
    expect(s.processor).toBe(0);
  });

  it('reads a real stat line whose comm holds a raw newline and a fake state', () => {
    const text = fixture('pid-newline-name-stat.txt');
    expect(text.split('\n')).toHaveLength(3);
    expect(parseTaskStat(text)).toEqual({
      pid: 7885,
      comm: 'new\nline) Z 9',
      state: 'S',
      ppid: 7883,
      pgrp: 7883,
      session: 13493,
      flags: 4194304,
      utime: 5,
      stime: 2,
      cutime: 3,
      cstime: 3,
      numThreads: 1,
      starttime: 122275,
      rssPages: 3438,
      processor: 1,
    });
  });

  it('reads the hand-made line with comm "my (weird) name)" and all 52 fields', () => {
    expect(parseTaskStat(fixture('handmade-weird-name-stat.txt'))).toEqual({
      pid: 1234,
      comm: 'my (weird) name)',
      state: 'S',
      ppid: 1,
      pgrp: 1234,
      session: 1200,
      flags: 4194560,
      utime: 1501,
      stime: 302,
      cutime: 45,
      cstime: 6,
      numThreads: 7,
      starttime: 987654,
      rssPages: 2048,
      processor: 1,
    });
  });

  it('reads a zombie: state Z, no resident pages', () => {
    const s = parseTaskStat(fixture('pid-zombie-stat.txt'));
    expect(s).toMatchObject({ pid: 15067, comm: 'python3', state: 'Z', ppid: 14916, utime: 0, stime: 0, rssPages: 0, numThreads: 1, processor: 1, starttime: 75778 });
  });

  it('reads a kernel thread (kthreadd)', () => {
    const s = parseTaskStat(fixture('pid-kthreadd-stat.txt'));
    expect(s).toMatchObject({ pid: 2, comm: 'kthreadd', state: 'S', ppid: 0, rssPages: 0, starttime: 13, processor: 0 });
  });

  it('parses the same with or without the trailing newline', () => {
    const text = fixture('pid-python-stat.txt');
    expect(text.endsWith('\n')).toBe(true);
    expect(parseTaskStat(text.trimEnd())).toEqual(parseTaskStat(text));
  });

  it('throws a clear error on a truncated line, quoting its start', () => {
    const text = fixture('handmade-truncated-stat.txt');
    expect(() => parseTaskStat(text)).toThrow(/^malformed stat line: "1234 \(my \(weird\) name\)\) S 1 1234/);
    expect(() => parseTaskStat('1234 (sleep) S 1')).toThrow('malformed stat line: "1234 (sleep) S 1"');
  });

  it('throws on lines without a (comm), or with a pid that is not a number', () => {
    expect(() => parseTaskStat('')).toThrow('malformed stat line: ""');
    expect(() => parseTaskStat('garbage with no parens')).toThrow(/^malformed stat line/);
    expect(() => parseTaskStat('1234 ) S (oops')).toThrow(/^malformed stat line/);
    const tail = fixture('pid-python-stat.txt').slice('14591'.length);
    expect(() => parseTaskStat(`abc${tail}`)).toThrow(/^malformed stat line: "abc \(python3\)/);
  });

  // BUG (reported): Number('') is 0, so a line with nothing before "(comm)" parses with pid 0
  // instead of being rejected like any other malformed line.
  it('throws when the pid before (comm) is missing', () => {
    const tail = fixture('pid-python-stat.txt').slice('14591 '.length);
    expect(tail.startsWith('(python3)')).toBe(true);
    expect(() => parseTaskStat(tail)).toThrow(/^malformed stat line: "\(python3\) S 14587/);
  });

  it('quotes at most 80 characters of the bad input', () => {
    const long = `x (${'n'.repeat(500)}`;
    let message = '';
    try {
      parseTaskStat(long);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(`malformed stat line: ${JSON.stringify(long.slice(0, 80))}`);
  });
});

describe('parseSchedstat', () => {
  it('reads real process and thread schedstat files', () => {
    expect(parseSchedstat(fixture('pid-python-schedstat.txt'))).toEqual({ runNs: 65799056, waitNs: 26314078, timeslices: 51 });
    expect(parseSchedstat(fixture('task-python-thread1-schedstat.txt'))).toEqual({ runNs: 629627936, waitNs: 350291225, timeslices: 555 });
    expect(parseSchedstat(fixture('task-python-thread2-schedstat.txt'))).toEqual({ runNs: 615806714, waitNs: 377822508, timeslices: 559 });
    expect(parseSchedstat(fixture('pid-zombie-schedstat.txt'))).toEqual({ runNs: 2355466, waitNs: 18091033, timeslices: 2 });
  });

  it('counts every context switch in timeslices (what the sampler reads instead of status)', () => {
    // Captured a moment apart from the same threads: voluntary + nonvoluntary switches in status.
    for (const t of ['thread1', 'thread2']) {
      const status = fixture(`task-python-${t}-status.txt`);
      const switches = ['voluntary', 'nonvoluntary'].reduce((sum, k) => sum + Number(new RegExp(`^${k}_ctxt_switches:\\s+(\\d+)`, 'm').exec(status)?.[1]), 0);
      const { timeslices } = parseSchedstat(fixture(`task-python-${t}-schedstat.txt`));
      expect(Math.abs(timeslices - switches)).toBeLessThanOrEqual(5);
    }
  });

  it('throws a clear error on garbage, quoting it', () => {
    expect(() => parseSchedstat(fixture('handmade-schedstat-garbage.txt'))).toThrow('malformed schedstat: "run=123 wait=456\\n"');
    expect(() => parseSchedstat('')).toThrow('malformed schedstat: ""');
    expect(() => parseSchedstat('1 2')).toThrow('malformed schedstat: "1 2"');
    expect(() => parseSchedstat('1 2 x')).toThrow('malformed schedstat: "1 2 x"');
    expect(() => parseSchedstat('\u0000\u0001\u00ff')).toThrow(/^malformed schedstat/);
  });
});

describe('parseChildren', () => {
  it('reads the kernel\'s "%d " list', () => {
    expect(parseChildren(fixture('children-three.txt'))).toEqual([14633, 14634, 15067]);
  });

  it('reads an empty children file as no children', () => {
    expect(fixture('children-empty.txt')).toBe('');
    expect(parseChildren(fixture('children-empty.txt'))).toEqual([]);
    expect(parseChildren('\n')).toEqual([]);
  });

  it('skips anything that is not a positive integer pid', () => {
    expect(parseChildren(' 12\t0 -3 x 4.5 99\n')).toEqual([12, 99]);
  });
});
