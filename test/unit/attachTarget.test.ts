// The attach refusals that a root test process cannot provoke for real (root reads every /proc
// file whatever its mode): a /proc that refuses, a kernel thread's flags, a zombie.
import { describe, expect, it } from 'vitest';
import { checkAttachTarget } from '../../src/engine/attach/attachTarget';

const stat = (pid: number, comm: string, state: string, flags: number): string =>
  `${pid} (${comm}) ${state} 1 ${pid} ${pid} 0 -1 ${flags} 0 0 0 0 10 5 0 0 20 0 1 0 12345 1000 200 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;

const files = (map: Record<string, string | NodeJS.ErrnoException>) => ({
  selfPid: 1,
  readFile: (p: string): string => {
    const v = map[p];
    if (v === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    if (typeof v !== 'string') throw v;
    return v;
  },
  readDir: (p: string): string[] => {
    const v = map[p];
    if (v === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    if (typeof v !== 'string') throw v;
    return v.split(',');
  },
});

const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES' });

describe('checkAttachTarget', () => {
  it('a readable user process: its name, command line and start time', () => {
    const t = checkAttachTarget(42, files({ '/proc/42/stat': stat(42, 'python3', 'S', 0x400000), '/proc/42/task': '42,43', '/proc/42/task/42/schedstat': '1 2 3', '/proc/42/cmdline': 'python3\0app.py\0' }));
    expect(t).toEqual({ pid: 42, starttime: 12345, name: 'python3', cmdline: 'python3 app.py' });
  });

  it('another user\'s process under hidepid, or one we may not trace: the pid, the errno and what to do', () => {
    expect(() => checkAttachTarget(42, files({ '/proc/42/stat': stat(42, 'java', 'S', 0), '/proc/42/task': eacces }))).toThrow(
      /^pid: cannot read \/proc\/42 \(EACCES\): another user's process on a \/proc mounted with hidepid, or one you may not trace; run CoreScope as that user$/,
    );
    expect(() => checkAttachTarget(42, files({ '/proc/42/stat': eacces }))).toThrow(/cannot read \/proc\/42 \(EACCES\)/);
  });

  it('a kernel thread (PF_KTHREAD), a zombie, a missing pid, itself, and out-of-range values', () => {
    expect(() => checkAttachTarget(9, files({ '/proc/9/stat': stat(9, 'kworker/0:1', 'I', 0x00208040) }))).toThrow(/^pid: 9 \(kworker\/0:1\) is a kernel thread/);
    expect(() => checkAttachTarget(7, files({ '/proc/7/stat': stat(7, 'app', 'Z', 0) }))).toThrow(/^pid: 7 \(app\) has already exited/);
    expect(() => checkAttachTarget(8, files({}))).toThrow(/^pid: no such process: 8$/);
    expect(() => checkAttachTarget(1, files({}))).toThrow(/^pid: 1 is CoreScope itself/);
    for (const bad of [0, -3, 1.5, 5_000_000, '12', null]) expect(() => checkAttachTarget(bad, files({}))).toThrow(/^pid: must be a whole number from 1 to 4194304/);
  });
});
