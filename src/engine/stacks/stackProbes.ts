// The stack probes of one launched run: a folder the probes write into, the environment that puts
// them into the program, and the reading of what they wrote once the run is over.
//
// Python: workloads/stacks/sitecustomize.py first on PYTHONPATH (it chains to the user's own
// sitecustomize), writing one file per process into the folder named by CORESCOPE_STACKS_DIR.
// Node.js: a `--require` preload first in NODE_OPTIONS (the user's own options after it) starts
// V8's CPU profiler in every thread through the inspector and writes one profile per thread at
// its exit (nodeProfiles.ts: Node 20 refuses --cpu-prof in NODE_OPTIONS).
//
// Why files in a folder named by an environment variable, not fd 3 like task events: a pipe
// inherited as a descriptor does not survive multiprocessing's spawn and forkserver start
// methods (the child is a fresh interpreter with only stdio); the environment reaches every
// descendant, whatever starts it.
// One file per process also means no two processes ever interleave their writes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { StackSamplesBuilder, type StackSamples } from '../../shared/stackSamples';
import type { RunSamples } from '../../shared/types';
import { isNode } from '../../shared/threadRoles';
import { readPythonStacks } from './pythonStacks';
import { nodeProbeOptions, readNodeProfiles } from './nodeProfiles';
import { findKeeperPython } from '../run/keeperPython';

const compiledFor = new Set<string>();

/**
 * Compiles the Python probe's two files to bytecode once per install and interpreter: every
 * Python process of a run imports them, and compiling the probe from source cost ~20 ms of CPU
 * per process here, where PYTHONDONTWRITEBYTECODE is set machine-wide (and CoreScope sets it for
 * its scenarios), so Python never keeps a cache of its own. A cache that cannot be written
 * (a read-only install) just leaves the compile to each process.
 */
function precompileProbe(stacksDir: string): void {
  const python = findKeeperPython();
  if (!python || compiledFor.has(`${python}\0${stacksDir}`)) return;
  compiledFor.add(`${python}\0${stacksDir}`);
  const files = ['sitecustomize.py', 'corescope_stack_probe.py'].map((f) => join(stacksDir, f));
  spawnSync(python, ['-S', '-I', '-c', 'import py_compile, sys\nfor f in sys.argv[1:]:\n    py_compile.compile(f, doraise=False, quiet=2)', ...files], { stdio: 'ignore', timeout: 10_000 });
}

export class StackProbes {
  private readonly root: string;
  private readonly pythonDir: string;
  private readonly nodeDir: string;

  private constructor(
    readonly rateHz: number,
    private readonly workloadsDir: string,
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'corescope-stacks-'));
    this.pythonDir = join(this.root, 'python');
    this.nodeDir = join(this.root, 'node');
    mkdirSync(this.pythonDir);
    mkdirSync(this.nodeDir);
  }

  /** Probes at `rateHz` samples per second; none when it is 0 (`--stacks off`). */
  static open(rateHz: number, workloadsDir: string): StackProbes | null {
    if (rateHz <= 0) return null;
    precompileProbe(join(workloadsDir, 'stacks'));
    return new StackProbes(rateHz, workloadsDir);
  }

  /**
   * What to add to the program's environment. `inherited` is what it would get otherwise (the
   * profiler's environment with the run's own variables over it): the user's PYTHONPATH and
   * NODE_OPTIONS are kept, ours go first.
   */
  env(inherited: Record<string, string | undefined>): Record<string, string> {
    const userPath = inherited.PYTHONPATH;
    return {
      PYTHONPATH: [join(this.workloadsDir, 'stacks'), ...(userPath ? [userPath] : [])].join(delimiter),
      CORESCOPE_STACKS_DIR: this.pythonDir,
      CORESCOPE_STACKS_HZ: String(this.rateHz),
      NODE_OPTIONS: nodeProbeOptions(this.nodeDir, this.rateHz, inherited.NODE_OPTIONS),
    };
  }

  /**
   * Reads what the probes wrote (after the whole tree has ended), then removes the folder.
   * `t0Ns` is the run's clock origin (process.hrtime.bigint() at its start). Undefined when no
   * probe wrote anything and no process needed one.
   */
  collect(t0Ns: bigint, samples: RunSamples): StackSamples | undefined {
    try {
      const builder = new StackSamplesBuilder(this.rateHz);
      readPythonStacks(this.pythonDir, t0Ns, builder);
      const nodePids = samples.processes.filter((p) => isNode(p.name, p.cmdline)).map((p) => p.pid);
      readNodeProfiles(this.nodeDir, t0Ns, builder, { nodePids, threadsOf: (pid) => threadSeries(samples, pid) });
      const out = builder.build();
      return out.t.length || out.sources.length ? out : undefined;
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A process's threads with their measured CPU over the run, for matching a worker's profile to its thread. */
function threadSeries(samples: RunSamples, pid: number): { tid: number; name: string; role: string; cpu: number[]; t: number[] }[] {
  const out: { tid: number; name: string; role: string; cpu: number[]; t: number[] }[] = [];
  samples.threads.forEach((th, i) => {
    if (th.pid === pid) out.push({ tid: th.tid, name: th.name, role: th.role, cpu: samples.threadCpu[i], t: samples.t });
  });
  return out;
}
