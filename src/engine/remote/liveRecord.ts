// What reached this machine of a run on another one, kept so that a lost connection does not lose
// it (issue #18). The live batches carry the samples (cores, workload, every thread), the
// workload's events, the closed verdict windows, the phases so far and the running totals; they
// are appended here as they arrive. When the connection goes before the run ends, `record()`
// makes a run record of them, marked incomplete: the figures only the end of a run gives (the
// exact CPU split, peak memory, spawn latency, CoreScope's own CPU there, the process list, the
// output, the stack samples) are stated as not known, never filled in.
import type { RunRequest } from '../../shared/api';
import { lagStats, peakConcurrency, reportedMetrics, round1, round3, taskPhaseOf } from '../../shared/metrics';
import { RATE_HZ, STACKS_HZ, TIMEOUT_S } from '../../shared/runLimits';
import { phaseSequence } from '../../shared/verdict';
import type { LiveBatch, Phase, RunParams, RunRecord, ThreadInfo, WindowVerdict, WorkloadEvent } from '../../shared/types';

/** What a record made from live batches cannot hold: named in its fidelity, as an attached run's gaps are. */
export const NOT_STREAMED = [
  'the exact CPU split into user and system time (only the total streams live)',
  'peak memory, the spawn latency and the list of processes',
  "the program's stdout and stderr",
  'stack samples and which code held the GIL or blocked the loop',
  'whatever the run did after the connection was lost',
];

export class LiveRecord {
  private readonly t: number[] = [];
  private readonly coreUser: number[][] = [];
  private readonly coreSystem: number[][] = [];
  private readonly coreIowait: number[][] = [];
  private readonly workloadCores: number[] = [];
  private threads: ThreadInfo[] = [];
  /** Per thread (the order of `threads`), one entry per sample: NaN / -1 before it was known. */
  private readonly threadCpu: number[][] = [];
  private readonly threadCore: number[][] = [];
  private readonly events: WorkloadEvent[] = [];
  private readonly windows: WindowVerdict[] = [];
  private phases: Phase[] = [];
  private live: LiveBatch['live'] | null = null;

  constructor(
    /** The run's id here. */
    private readonly runId: string,
    private readonly request: RunRequest,
  ) {}

  get samples(): number {
    return this.t.length;
  }

  add(b: LiveBatch): void {
    // A batch that does not follow on (one lost, or a repeat) would misalign every column.
    if (b.fromIndex !== this.t.length) return;
    const n = b.t.length;
    for (let c = 0; c < b.coreUser.length; c++) {
      (this.coreUser[c] ??= []).push(...b.coreUser[c]);
      (this.coreSystem[c] ??= []).push(...(b.coreSystem[c] ?? []));
      (this.coreIowait[c] ??= []).push(...(b.coreIowait[c] ?? []));
    }
    this.t.push(...b.t);
    this.workloadCores.push(...b.workloadCores);
    // The thread list only grows: a new thread's column starts with the samples it was not in.
    for (let i = this.threads.length; i < b.threads.length; i++) {
      this.threadCpu.push(new Array<number>(this.t.length - n).fill(NaN));
      this.threadCore.push(new Array<number>(this.t.length - n).fill(-1));
    }
    this.threads = b.threads;
    for (let i = 0; i < this.threads.length; i++) {
      this.threadCpu[i].push(...(b.threadCpu[i] ?? new Array<number>(n).fill(NaN)));
      this.threadCore[i].push(...(b.threadCore[i] ?? new Array<number>(n).fill(-1)));
    }
    this.events.push(...b.events);
    this.windows.push(...b.windows);
    this.phases = b.phases;
    this.live = b.live;
  }

  /**
   * The run as far as it reached here, marked incomplete: `host` is the machine, `why` what
   * happened to the connection. Null when no sample arrived (there is nothing to keep).
   */
  record(host: string, why: string): RunRecord | null {
    const live = this.live;
    if (!live || this.t.length === 0) return null;
    const req = this.request;
    const rateHz = req.rateHz ?? RATE_HZ.default;
    const coreCount = this.coreUser.length;
    const samples = {
      rateHz,
      coreCount,
      t: this.t,
      coreUser: this.coreUser,
      coreSystem: this.coreSystem,
      coreIowait: this.coreIowait,
      workloadCores: this.workloadCores,
      threadCpu: this.threadCpu,
      threadCore: this.threadCore,
      threads: this.threads,
      processes: [],
    };
    const attached = req.kind === 'attach' ? { pid: req.pid, name: this.threads.find((th) => th.tid === req.pid)?.name ?? `pid ${req.pid}`, endedBy: 'connection-lost' as const } : undefined;
    const seq = this.phases.length ? ` What it did until then: ${phaseSequence(this.phases)}.` : '';
    const lostAt = `${(live.wallMs / 1000).toFixed(1)} s`;
    return {
      result: {
        runId: this.runId,
        scenario: req.kind === 'scenario' ? req.scenario : undefined,
        params: paramsOf(req, rateHz),
        wallMs: round1(live.wallMs),
        cpu: { userMs: null, systemMs: null, totalMs: round1(live.cpuMs) },
        parallelism: round3(live.parallelism),
        peakConcurrency: peakConcurrency(this.events),
        taskPhase: taskPhaseOf(this.events, samples, rateHz),
        cores: this.coreUser.map((_, id) => coreShares(id, this.coreUser[id], this.coreSystem[id], this.coreIowait[id])),
        threads: this.threads.map((th, i) => ({ pid: th.pid, tid: th.tid, name: th.name, role: th.role, cpuMs: round1(cpuMsOf(this.t, this.threadCpu[i])) })),
        processes: new Set(this.threads.map((th) => th.pid)).size,
        peakRssBytes: null,
        spawnLatencyMs: null,
        noisePct: round1(otherLoadPct(this.t, this.coreUser, this.coreSystem, this.workloadCores)),
        profilerCpuPct: null,
        lag: lagStats(this.events),
        metrics: reportedMetrics(this.events),
        // Not judged: the run did not end, and how it would have gone on is not known here.
        verdict: { kind: 'failed', text: `Not judged: the connection to ${host} was lost ${lostAt} into the run, before it ended.${seq}` },
        windows: this.windows,
        phases: this.phases,
        serialFraction: null,
        exit: { code: null, signal: null, reason: 'connection-lost' },
        ...(attached ? { attach: attached } : {}),
        fidelity: { cores: 'proc-stat', threads: true, unavailable: NOT_STREAMED },
        warnings: [`Incomplete: ${why}. The run was ended there with it (nothing is left running on ${host}). What reached this machine until then is kept: ${this.t.length} samples over ${lostAt}. Not known from it: ${NOT_STREAMED.join('; ')}.`],
      },
      samples,
      events: this.events,
      stdout: '',
      stderr: '',
      outputTruncated: false,
    };
  }
}

/** The run's parameters as this machine asked for them (the machine there resolved the rest). */
function paramsOf(req: RunRequest, rateHz: number): RunParams {
  const timeoutS = req.timeoutS ?? TIMEOUT_S.default;
  if (req.kind === 'attach') return { attach: { pid: req.pid, name: '', cmdline: '' }, rateHz, timeoutS };
  const stacksHz = req.stacksHz ?? STACKS_HZ.default;
  if (req.kind === 'command') return { cmd: req.cmd, cwd: req.cwd, env: req.env, rateHz, timeoutS, stacksHz };
  return { rateHz, timeoutS, stacksHz, scenario: { id: req.scenario, params: req.params } };
}

/** A core's mean shares over the samples, in percent. */
function coreShares(id: number, user: number[], system: number[], iowait: number[]): RunRecord['result']['cores'][number] {
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const u = mean(user) * 100;
  const s = mean(system) * 100;
  return { id, busyPct: round1(Math.min(100, u + s)), userPct: round1(u), systemPct: round1(s), iowaitPct: round1(mean(iowait) * 100) };
}

/** A thread's CPU in ms from its per-interval shares of a core (NaN: not alive then). */
function cpuMsOf(t: number[], share: number[]): number {
  let ms = 0;
  for (let k = 1; k < t.length; k++) if (Number.isFinite(share[k])) ms += share[k] * (t[k] - t[k - 1]);
  return ms;
}

/** What else kept the cores busy, % of all cores: the machine's busy cores less the workload's (CoreScope's own included, not known apart). */
function otherLoadPct(t: number[], user: number[][], system: number[][], workload: number[]): number {
  let other = 0;
  let span = 0;
  for (let k = 1; k < t.length; k++) {
    let busy = 0;
    for (let c = 0; c < user.length; c++) busy += (user[c][k] ?? 0) + (system[c][k] ?? 0);
    other += Math.max(0, busy - workload[k]) * (t[k] - t[k - 1]);
    span += t[k] - t[k - 1];
  }
  return span > 0 && user.length ? Math.min(100, (other / span / user.length) * 100) : 0;
}
