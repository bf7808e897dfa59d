// The standard suite on another machine, started from the app's Machines place (issue #18): the
// same suite as `corescope suite --on HOST` (engine/suite/standardSuite.ts), one run at a time
// there, its progress pushed to the page as suite events. What it recorded is kept here — its
// runs' records and its sweeps, with that machine's profile — so the machine's session, saved
// from its row, holds the suite with its sweeps, even once the connection is gone.
import type { EngineEvent } from '../../shared/api';
import { InputError } from '../../shared/runLimits';
import type { RunRecord, SystemInfo } from '../../shared/types';
import type { SweepResult } from '../../shared/sweep';
import { runStandardSuite, suitePlan, SUITE_DEFAULTS, type SuiteSettings } from '../suite/standardSuite';
import type { Machines } from './machines';
import type { RemoteEngine } from './remoteEngine';
import { parseSshTarget } from './sshTarget';

/** A suite going on a machine, or the last one that ended there. */
interface MachineSuite {
  engine: RemoteEngine;
  info: SystemInfo;
  stopRequested: boolean;
  /** The run going there now (its id there), to cancel on Stop. */
  current: string | null;
  done: boolean;
  records: RunRecord[];
  sweeps: SweepResult[];
  incomplete?: string;
}

const SETTINGS: SuiteSettings = { ...SUITE_DEFAULTS };

export class MachineSuites {
  private readonly suites = new Map<string, MachineSuite>();

  constructor(
    private readonly machines: Machines,
    private readonly emit: (e: EngineEvent) => void,
    /** Whether a run started from the form is going on that machine (a suite would measure beside it). */
    private readonly runGoingOn: (host: string) => boolean,
  ) {}

  /** Whether a suite is going on `host` (a run started beside it would disturb both). */
  running(host: string): boolean {
    const s = this.suites.get(host);
    return !!s && !s.done;
  }

  /** Starts the suite on a connected machine; resolves with how many runs it will make. */
  async start(hostText: string): Promise<{ host: string; runs: number }> {
    const engine = this.machines.connected(hostText, 'host');
    const host = engine.target.text;
    if (this.running(host)) throw new InputError('host', `host: the suite is already running on ${host}`);
    if (this.runGoingOn(host)) throw new InputError('host', `host: a run is going on ${host}; the suite runs one at a time there, so wait for it or cancel it`);
    const info = await engine.info();
    const cores = info.hardware.cpu.logicalCores;
    const { total } = suitePlan(SETTINGS, cores);
    const suite: MachineSuite = { engine, info, stopRequested: false, current: null, done: false, records: [], sweeps: [] };
    this.suites.set(host, suite);
    let done = 0;
    const runner = { info: () => engine.info(), runToEnd: (req: Parameters<RemoteEngine['runToEnd']>[0]) => engine.runToEnd(req, (id) => (suite.current = id)), get lost() { return engine.lost; } };
    void runStandardSuite(runner, SETTINGS, cores, {
      say: (line) => this.emit({ type: 'suite-progress', host, line, done, total }),
      eachRun: () => () => {
        suite.current = null;
        done++;
      },
      stopped: () => suite.stopRequested,
    })
      .then(
        (outcome) => {
          suite.records = outcome.records;
          suite.sweeps = outcome.sweeps;
          suite.incomplete = outcome.incomplete;
          this.emit({ type: 'suite-finished', host, runs: outcome.records.length, sweeps: outcome.sweeps.length, failed: outcome.failed, incomplete: outcome.incomplete ?? null });
        },
        (err: Error) => this.emit({ type: 'suite-finished', host, runs: 0, sweeps: 0, failed: 1, incomplete: `the suite failed: ${err.message}` }),
      )
      .finally(() => {
        suite.done = true;
      });
    return { host, runs: total };
  }

  /** Stops the suite on `host`: the run going there is cancelled, and what finished is kept. */
  async stop(hostText: string): Promise<void> {
    const host = parseSshTarget(hostText, 'host').text;
    const s = this.suites.get(host);
    if (!s || s.done) throw new InputError('host', `host: no suite is running on ${host}`);
    s.stopRequested = true;
    if (s.current && !s.engine.lost) await s.engine.api.cancelRun(s.current).catch(() => undefined);
  }

  /** What the last suite on `host` recorded, with that machine's profile; null when none ran (or one is still going). */
  recorded(host: string): { info: SystemInfo; records: RunRecord[]; sweeps: SweepResult[]; incomplete?: string } | null {
    const s = this.suites.get(host);
    return s && s.done ? { info: s.info, records: s.records, sweeps: s.sweeps, incomplete: s.incomplete } : null;
  }

  /** Stops every suite (the app is closing); their connections close after. */
  stopAll(): void {
    for (const s of this.suites.values()) s.stopRequested = true;
  }
}
