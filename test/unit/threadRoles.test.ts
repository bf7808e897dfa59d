// Thread roles from what /proc shows: names, creation order, parents and command lines.
import { describe, expect, it } from 'vitest';
import { classifyThreadRole, type ThreadFacts } from '../../src/shared/threadRoles';

const NODE_CMD = '/usr/bin/node /work/workloads/node/cpu.js --tasks 4';
const PY_CMD = '/usr/bin/python3 /work/workloads/python/threads.py';

const node = (over: Partial<ThreadFacts>): ThreadFacts => ({
  pid: 500, tid: 500, name: 'node', processName: 'node', cmdline: NODE_CMD, creationRank: 0, ...over,
});
const py = (over: Partial<ThreadFacts>): ThreadFacts => ({
  pid: 700, tid: 700, name: 'python3', processName: 'python3', cmdline: PY_CMD, creationRank: 0, ...over,
});

describe('Node processes', () => {
  it('the main thread (tid = pid, no parent in the workload) is main', () => {
    expect(classifyThreadRole(node({}))).toBe('main');
    expect(classifyThreadRole(node({ name: 'MainThread', processName: 'MainThread' }))).toBe('main');
  });

  it('the first 6 unnamed threads by creation rank are V8/start-up helpers', () => {
    for (let rank = 0; rank < 6; rank++) expect(classifyThreadRole(node({ tid: 501 + rank, creationRank: rank }))).toBe('v8-helper');
  });

  it('later unnamed threads are libuv\'s pool (a worker_thread is told later, by the tasks it reports)', () => {
    expect(classifyThreadRole(node({ tid: 507, creationRank: 6 }))).toBe('libuv-pool');
    expect(classifyThreadRole(node({ tid: 510, creationRank: 9 }))).toBe('libuv-pool');
  });

  it('named threads are told by name, whatever their rank', () => {
    expect(classifyThreadRole(node({ tid: 520, name: 'libuv-worker', creationRank: 1 }))).toBe('libuv-pool');
    expect(classifyThreadRole(node({ tid: 521, name: 'V8 DefaultWorke', creationRank: 40 }))).toBe('v8-helper');
    expect(classifyThreadRole(node({ tid: 522, name: 'v8:ProfEvntProc', creationRank: 40 }))).toBe('v8-helper');
    expect(classifyThreadRole(node({ tid: 523, name: 'PlatformWorker', creationRank: 40 }))).toBe('v8-helper');
    expect(classifyThreadRole(node({ tid: 524, name: 'DelayedTaskSchedu', creationRank: 40 }))).toBe('v8-helper');
  });

  it('is recognised by its command line when the process name is not "node"', () => {
    expect(classifyThreadRole(node({ tid: 530, processName: 'my-server', name: 'my-server', cmdline: 'node server.js', creationRank: 7 }))).toBe('libuv-pool');
    expect(classifyThreadRole(node({ tid: 530, processName: 'x', name: 'x', cmdline: '/opt/n/bin/node', creationRank: 7 }))).toBe('libuv-pool');
  });

  it('a cluster worker is a node child of node with the same command line', () => {
    const parent = { name: 'node', cmdline: NODE_CMD };
    expect(classifyThreadRole(node({ pid: 600, tid: 600, parent }))).toBe('cluster-worker');
    // A node child running another script is a plain child process.
    expect(classifyThreadRole(node({ pid: 601, tid: 601, cmdline: '/usr/bin/node other.js', parent }))).toBe('child-process');
    // So is node started by a shell.
    expect(classifyThreadRole(node({ pid: 602, tid: 602, parent: { name: 'sh', cmdline: 'sh -c node x.js' } }))).toBe('child-process');
  });

  it('threads of a cluster worker follow the same rules as any node process', () => {
    const parent = { name: 'node', cmdline: NODE_CMD };
    expect(classifyThreadRole(node({ pid: 600, tid: 603, creationRank: 2, parent }))).toBe('v8-helper');
    expect(classifyThreadRole(node({ pid: 600, tid: 612, creationRank: 8, parent }))).toBe('libuv-pool');
  });
});

describe('Python processes', () => {
  it('the main thread is main, other threads python-thread', () => {
    expect(classifyThreadRole(py({}))).toBe('main');
    expect(classifyThreadRole(py({ tid: 701, creationRank: 0 }))).toBe('python-thread');
    expect(classifyThreadRole(py({ tid: 709, creationRank: 8 }))).toBe('python-thread');
  });

  it('is recognised by versioned and free-threaded interpreter names', () => {
    const cases: [string, string][] = [
      ['python3.12', '/usr/bin/python3.12 x.py'],
      ['python3.13t', '/usr/bin/python3.13t x.py'],
      ['pypy3', '/usr/bin/pypy3 x.py'],
      ['worker', '/usr/local/bin/python3.13t -c pass'],
    ];
    for (const [processName, cmdline] of cases) expect(classifyThreadRole(py({ tid: 701, name: processName, processName, cmdline }))).toBe('python-thread');
  });

  it('a multiprocessing child is a Python process whose parent is Python', () => {
    const parent = { name: 'python3', cmdline: PY_CMD };
    const child = { pid: 800, tid: 800, cmdline: '/usr/bin/python3 -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7) --multiprocessing-fork' };
    expect(classifyThreadRole(py({ ...child, parent }))).toBe('mp-child');
    // A forked child keeps the parent's command line.
    expect(classifyThreadRole(py({ pid: 801, tid: 801, parent }))).toBe('mp-child');
    // Threads inside that child are still python threads.
    expect(classifyThreadRole(py({ ...child, tid: 802, creationRank: 0, parent }))).toBe('python-thread');
  });

  it('a Python process started by a shell or by node is a child process', () => {
    expect(classifyThreadRole(py({ pid: 810, tid: 810, parent: { name: 'sh', cmdline: '/bin/sh -c python3 x.py' } }))).toBe('child-process');
    expect(classifyThreadRole(py({ pid: 811, tid: 811, parent: { name: 'node', cmdline: NODE_CMD } }))).toBe('child-process');
  });
});

describe('anything else', () => {
  it('other programs: main, other, child-process', () => {
    const c = { pid: 900, tid: 900, name: 'stress-ng', processName: 'stress-ng', cmdline: 'stress-ng --cpu 2', creationRank: 0 };
    expect(classifyThreadRole(c)).toBe('main');
    expect(classifyThreadRole({ ...c, tid: 901 })).toBe('other');
    expect(classifyThreadRole({ ...c, pid: 902, tid: 902, parent: { name: 'stress-ng', cmdline: 'stress-ng --cpu 2' } })).toBe('child-process');
  });

  it('takes a runtime among the arguments for an argument, not for the program running', () => {
    // Seen on `xz -T2 -k -c /usr/bin/node`: its two compressor threads were listed as V8 helpers.
    const xz = { pid: 960, tid: 961, name: 'xz', processName: 'xz', cmdline: 'xz -T2 -6 -k -c /usr/bin/node', creationRank: 0 };
    expect(classifyThreadRole(xz)).toBe('other');
    expect(classifyThreadRole({ ...xz, tid: 962, creationRank: 1 })).toBe('other');
    expect(classifyThreadRole({ ...xz, name: 'cp', processName: 'cp', cmdline: 'cp /usr/bin/python3 /tmp/py' })).toBe('other');
    expect(classifyThreadRole({ ...xz, name: 'x', processName: 'x', cmdline: '  /usr/bin/python3 x.py' })).toBe('python-thread');
    expect(classifyThreadRole({ ...xz, name: 'x', processName: 'x', cmdline: '/usr/bin/nodejs app.js', creationRank: 9 })).toBe('libuv-pool');
  });

  it('does not take "nodejs-like" or "pythonista" names for runtimes', () => {
    const base = { pid: 950, tid: 951, creationRank: 9 };
    expect(classifyThreadRole({ ...base, name: 'x', processName: 'x', cmdline: '/usr/bin/nodemon app.js' })).toBe('other');
    expect(classifyThreadRole({ ...base, name: 'x', processName: 'x', cmdline: '/opt/pythonista/run' })).toBe('other');
  });
});
