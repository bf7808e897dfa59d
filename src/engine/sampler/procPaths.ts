// Every /proc path the tree sampler reads, built in one place from one root: '/proc' on a live
// kernel, a directory of recorded or hand-made files in tests (test/unit/treeSamplerFakeProc.test.ts).

/** The per-process files the sampler reads (proc(5)). */
export type ProcessFile = 'stat' | 'cmdline';
/** The per-thread files the sampler reads: stat line, scheduler times, children it forked. */
export type TaskFile = 'stat' | 'schedstat' | 'children';

export class ProcPaths {
  constructor(readonly root = '/proc') {}

  /** The machine's load line, whose last field is the newest pid (see parseLoadavg). */
  loadavg(): string {
    return `${this.root}/loadavg`;
  }

  process(pid: number, file: ProcessFile): string {
    return `${this.root}/${pid}/${file}`;
  }

  /** The directory listing a process's threads by tid. */
  tasks(pid: number): string {
    return `${this.root}/${pid}/task`;
  }

  task(pid: number, tid: number, file: TaskFile): string {
    return `${this.root}/${pid}/task/${tid}/${file}`;
  }
}
