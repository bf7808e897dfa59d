// The workload's process: spawned in its own process group, under the keeper when there is a
// Python for it (so nothing of the run outlives it), with the event pipe on fd 3 and, under the
// keeper, the keeper's control pipe on fd 4.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { WorkloadHandle } from './workloadHandle';

export interface WorkloadLaunch {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Python interpreter and path of workloads/keeper.py; null runs the workload directly. */
  keeper: { python: string; script: string } | null;
}

/** The fd the workload writes its events to (CORESCOPE_EVENT_FD). */
const EVENT_FD = 3;
/** The fd the keeper reports on. */
const KEEPER_FD = 4;

export class WorkloadProcess implements WorkloadHandle {
  readonly child: ChildProcess;
  readonly viaKeeper: boolean;
  readonly owned = true;
  /** Resolves once the process runs; rejects when it cannot be started at all. */
  readonly spawned: Promise<void>;

  constructor(launch: WorkloadLaunch) {
    const { argv, keeper } = launch;
    this.viaKeeper = keeper !== null;
    const env = { ...process.env, ...launch.env, CORESCOPE_EVENT_FD: String(EVENT_FD) };
    const [cmd, ...args] = keeper ? [keeper.python, '-S', '-I', keeper.script, String(KEEPER_FD), String(process.pid), '--', ...argv] : argv;
    const stdio: ('ignore' | 'pipe')[] = keeper ? ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'];
    const child = spawn(cmd, args, { cwd: launch.cwd, env, stdio, detached: true });
    this.child = child;
    this.spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new Error(`cannot start ${JSON.stringify(cmd)}: ${err.message}`)));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdout(): Readable {
    return this.child.stdout!;
  }

  get stderr(): Readable {
    return this.child.stderr!;
  }

  get events(): Readable {
    return this.child.stdio[EVENT_FD] as Readable;
  }

  /** The keeper's control pipe; null when the workload runs directly. */
  get keeperPipe(): Readable | null {
    return this.viaKeeper ? (this.child.stdio[KEEPER_FD] as Readable) : null;
  }

  onExit(callback: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.child.once('exit', callback);
  }

  close(): void {
    // The child's handles close with it.
  }

  /**
   * Signals the tree: the keeper passes it on (and ends the tree gently, SIGTERM then SIGKILL,
   * still reporting the CPU it reaped); without it, the whole process group gets it.
   */
  signalTree(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (!pid) return;
    try {
      process.kill(this.viaKeeper ? pid : -pid, signal);
    } catch {
      // already gone
    }
  }
}
