// Tells a thread's role from what /proc shows of it. Node 20 leaves its threads unnamed ("node"),
// so for Node the evidence is creation order: at start-up Node makes V8's platform threads
// (4 by default) plus its task-scheduler and signal threads; libuv's pool and worker_threads come
// later, on first use. Python names none either; multiprocessing children and cluster workers
// are told by their parent.
import type { ThreadRole } from './types';

export interface ThreadFacts {
  pid: number;
  tid: number;
  name: string;
  processName: string;
  cmdline: string;
  /** Position of this thread among the process's non-main threads, by thread id (creation order). */
  creationRank: number;
  parent?: { name: string; cmdline: string };
}

const NODE_STARTUP_THREADS = 6;

/**
 * The program a command line runs: its first word. A runtime's path among the arguments is not
 * the runtime running (`xz -k /usr/bin/node` compresses Node; its threads are xz's).
 */
const programOf = (cmd: string): string => cmd.trimStart().split(/\s/, 1)[0];
/** A Node.js process, by its name or the program its command line runs (Debian names it nodejs). */
export const isNode = (name: string, cmd: string): boolean => /^(node|MainThread|electron)$/.test(name) || /(^|\/)node(js)?$/.test(programOf(cmd));
const isPython = (name: string, cmd: string): boolean => /^(python[\d.]*t?|pypy[\d.]*)$/.test(name) || /(^|\/)python[\d.]*t?$/.test(programOf(cmd));

export function classifyThreadRole(t: ThreadFacts): ThreadRole {
  if (/^libuv-worker$/.test(t.name)) return 'libuv-pool';
  if (/^V8 |^v8:|^V8Worker|^PlatformWorker|^DelayedTaskSch/i.test(t.name)) return 'v8-helper';
  const node = isNode(t.processName, t.cmdline);
  const python = isPython(t.processName, t.cmdline);
  if (t.tid === t.pid) {
    if (!t.parent) return 'main';
    // By the parent's own name: a shell whose command line mentions python is not python.
    if (python && isPython(t.parent.name, '')) return 'mp-child';
    if (node && isNode(t.parent.name, t.parent.cmdline) && t.parent.cmdline === t.cmdline) return 'cluster-worker';
    return 'child-process';
  }
  if (node) {
    if (t.creationRank < NODE_STARTUP_THREADS) return 'v8-helper';
    // Until it reports a task of its own, which makes it a worker_thread (see Run.rolesFromEvents).
    return 'libuv-pool';
  }
  if (python) return 'python-thread';
  return 'other';
}
