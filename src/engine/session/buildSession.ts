// Wraps finished runs (and sweeps over them) into a session with the hardware profile of the
// machine they ran on — this one, or another reached over ssh — and the exact interpreters the
// runs used.
import type { RunRecord, RuntimeInfo, SystemInfo } from '../../shared/types';
import type { SweepResult } from '../../shared/sweep';
import { getScenario } from '../../shared/scenarios';
import { makeSession, type SessionFile } from '../../shared/sessionSchema';
import { corescopeVersion } from '../version';
import { hardwareProfile } from '../hardware';
import { probeRuntime } from '../runtimes';

/**
 * The interpreters the runs were launched with (probed: version, implementation, GIL). `probe`
 * false: the runs were on another machine, whose interpreters cannot be probed from here; one
 * that `known` does not list is then "unknown".
 */
export async function runtimesOfRuns(records: RunRecord[], known: RuntimeInfo[], probe = true): Promise<RuntimeInfo[]> {
  const wanted = new Map<string, 'python' | 'node'>();
  for (const r of records) {
    const exe = r.result.params.argv?.[0];
    const kind = r.result.scenario ? getScenario(r.result.scenario)?.runtime : undefined;
    if (exe && (kind === 'python' || kind === 'node')) wanted.set(exe, kind);
  }
  const out: RuntimeInfo[] = [];
  for (const [exe, kind] of wanted) {
    let info = known.find((k) => k.path === exe);
    // Only the interpreter the runs used is probed: probing every one on the machine took ~7 s
    // with pyenv's shims on PATH, before a sweep's first run.
    if (probe) info ??= (await probeRuntime(kind, exe)) ?? undefined;
    out.push(info ?? { kind, path: exe, version: 'unknown', implementation: 'unknown' });
  }
  return out;
}

/**
 * @param info the engine's `info()`, asked only when no run says which interpreter it used: the
 *   session needs the machine's runtimes, not the engine itself.
 * @param extra.remote the profile of the other machine the runs were on (its hardware and
 *   interpreters, as its own engine reported them); absent: this machine.
 */
export async function buildSession(
  info: () => Promise<SystemInfo>,
  records: RunRecord[],
  extra: { sweeps?: SweepResult[]; incomplete?: string; remote?: SystemInfo } = {},
): Promise<SessionFile> {
  const remote = extra.remote;
  const used = await runtimesOfRuns(records, remote?.runtimes ?? [], !remote);
  // Every interpreter found there only when no run says which it used (e.g. only --cmd runs).
  const runtimes = used.length ? used : (remote ?? (await info())).runtimes;
  return makeSession({
    corescopeVersion: corescopeVersion(),
    hardware: remote?.hardware ?? (await hardwareProfile()),
    runtimes,
    runs: records,
    sweeps: extra.sweeps,
    incomplete: extra.incomplete,
  });
}
