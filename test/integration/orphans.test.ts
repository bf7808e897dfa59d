// No orphans, whatever happens (issue 7): the ways a run can end that engineRuns/cli tests do not
// cover yet — the workload crashing (SIGSEGV, an uncaught exception) with children still
// running, the keeper itself killed, the profiler disposing mid-run, and `corescope serve`
// killed (SIGKILL, SIGTERM) or its tab closed while a run it started over the WebSocket is going.
// Every case checks afterwards, by the pids the engine tracked and by a marker in the command
// line, that nothing of the tree survives; reports of runs ended early are marked and keep what
// was recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/waitFor';
import WebSocket from 'ws';
import { createEngine } from '../../src/engine/engine';
import type { EngineEvent } from '../../src/shared/api';
import type { RunRecord } from '../../src/shared/types';
import { pidsOf, pidsWithMarker, survivors, survivorsAfter } from './survivors';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corescope.mjs');

const engine = createEngine();
afterAll(() => engine.dispose());

beforeAll(() => {
  if (!existsSync(join(ROOT, 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `npm run build` (npm test does this first)');
});

let seq = 0;
const newMarker = (what: string): string => `cs-orphan-${process.pid}-${what}-${++seq}`;

/** A python that sleeps with the marker in its argv: visible in /proc/<pid>/cmdline. */
const sleeper = (marker: string, s = 60): string => `python3 -c "import time; time.sleep(${s})" ${marker}`;

/** Children in every shape that tries to escape: plain background, setsid daemon, double fork. */
const escapingChildren = (m: string): string => `${sleeper(m)} & setsid ${sleeper(m)} & (${sleeper(m)} &);`;

// Anything a failed test leaves behind is ended here (by marker only: our own processes).
const markersUsed: string[] = [];
afterEach(() => {
  for (const m of markersUsed.splice(0)) {
    for (const pid of pidsWithMarker(m)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
});

async function expectNothingLeft(marker: string, tracked: number[], exclude: number[] = []): Promise<void> {
  const gone = (): boolean => pidsWithMarker(marker, exclude).length === 0 && survivors(tracked).length === 0;
  const ok = await waitFor(gone, 5_000);
  expect(ok, `survivors: by marker ${pidsWithMarker(marker, exclude)}, tracked ${survivors(tracked)}`).toBe(true);
}

function markerProcesses(record: RunRecord, marker: string): number {
  return record.samples.processes.filter((p) => p.cmdline.includes(marker)).length;
}

describe('the workload crashes with children still running', () => {
  it('SIGSEGV of the workload: its plain, setsid and double-forked children all die, the report says so', async () => {
    const m = newMarker('segv');
    markersUsed.push(m);
    const rec = await engine.runToEnd({ kind: 'command', cmd: `${escapingChildren(m)} sleep 0.8; kill -SEGV $$`, rateHz: 50, timeoutS: 30 });
    expect(rec.result.exit).toMatchObject({ signal: 'SIGSEGV', code: null, reason: 'exited' });
    // The children were tracked before the crash, so the pid check below means something.
    expect(markerProcesses(rec, m)).toBeGreaterThanOrEqual(3);
    expect(rec.samples.t.length).toBeGreaterThan(10);
    expect(rec.result.warnings.join('\n')).toMatch(/still running when it ended; CoreScope ended them/);
    expect(await survivorsAfter(rec)).toEqual([]);
    await expectNothingLeft(m, pidsOf(rec));
  });

  it('an uncaught Python exception after spawning children', async () => {
    const m = newMarker('pyexc');
    markersUsed.push(m);
    const py = [
      'import subprocess, time',
      `subprocess.Popen(["python3", "-c", "import time; time.sleep(60)", "${m}"])`,
      `subprocess.Popen(["python3", "-c", "import time; time.sleep(60)", "${m}"], start_new_session=True)`,
      'time.sleep(0.8)',
      'raise RuntimeError("boom from the workload")',
    ].join('\n');
    const rec = await engine.runToEnd({ kind: 'command', cmd: `python3 -c '${py}'`, rateHz: 50, timeoutS: 30 });
    expect(rec.result.exit).toMatchObject({ code: 1, reason: 'exited' });
    expect(rec.stderr).toMatch(/RuntimeError: boom from the workload/);
    expect(markerProcesses(rec, m)).toBeGreaterThanOrEqual(2);
    expect(rec.samples.t.length).toBeGreaterThan(10);
    expect(await survivorsAfter(rec)).toEqual([]);
    await expectNothingLeft(m, pidsOf(rec));
  });

  it('an uncaught Node exception after spawning a detached child', async () => {
    const m = newMarker('nodeexc');
    markersUsed.push(m);
    const js = `const cp=require("child_process");cp.spawn(process.execPath,["-e","setTimeout(()=>{},60000)","${m}"],{detached:true,stdio:"ignore"}).unref();setTimeout(()=>{throw new Error("boom from node")},800)`;
    const rec = await engine.runToEnd({ kind: 'command', cmd: `${JSON.stringify(process.execPath)} -e '${js}'`, rateHz: 50, timeoutS: 30 });
    expect(rec.result.exit).toMatchObject({ code: 1, reason: 'exited' });
    expect(rec.stderr).toMatch(/boom from node/);
    expect(markerProcesses(rec, m)).toBeGreaterThanOrEqual(1);
    expect(await survivorsAfter(rec)).toEqual([]);
    await expectNothingLeft(m, pidsOf(rec));
  });
});

/** The keeper of a run: the python running keeper.py whose parent is this process. */
function keeperPids(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (cmd.includes('keeper.py') && ppid === process.pid) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}

describe('the run ends around the workload', () => {
  it('the keeper itself SIGKILLed (e.g. by the OOM killer): the engine still ends the tree', async () => {
    const m = newMarker('keeper');
    markersUsed.push(m);
    const before = new Set(keeperPids());
    const { runId } = await engine.startRun({ kind: 'command', cmd: `${escapingChildren(m)} ${sleeper(m)}`, rateHz: 50, timeoutS: 30 });
    expect(await waitFor(() => pidsWithMarker(m).length >= 4, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // a few samples, so every child is tracked
    const keeper = keeperPids().filter((p) => !before.has(p));
    expect(keeper).toHaveLength(1);
    process.kill(keeper[0], 'SIGKILL');
    const rec = await engine.getRun(runId);
    expect(rec.result.exit.signal).toBe('SIGKILL');
    expect(rec.samples.t.length).toBeGreaterThan(5);
    expect(markerProcesses(rec, m)).toBeGreaterThanOrEqual(4);
    await expectNothingLeft(m, pidsOf(rec));
  });

  it('engine.dispose() (the profiler exiting) mid-run: marked profiler-exit, samples kept, tree gone', async () => {
    const own = createEngine();
    const m = newMarker('dispose');
    markersUsed.push(m);
    const { runId } = await own.startRun({ kind: 'command', cmd: `${escapingChildren(m)} ${sleeper(m)}`, rateHz: 50, timeoutS: 30 });
    expect(await waitFor(() => pidsWithMarker(m).length >= 4, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    await own.dispose();
    const rec = await own.getRun(runId);
    expect(rec.result.exit.reason).toBe('profiler-exit');
    expect(rec.samples.t.length).toBeGreaterThan(10);
    expect(rec.result.wallMs).toBeGreaterThan(300);
    expect(markerProcesses(rec, m)).toBeGreaterThanOrEqual(4);
    await expectNothingLeft(m, pidsOf(rec));
  });
});

// ---- `corescope serve` as a user runs it (the built bundle), driven over its WebSocket ----

interface ServeProc {
  child: ChildProcess;
  url: URL;
  exited: Promise<number | null>;
}

const serveProcs: ChildProcess[] = [];
afterEach(() => {
  for (const c of serveProcs.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startServe(): Promise<ServeProc> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  serveProcs.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 15 s; stdout ${out}; stderr ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const found = /serving on (http:\/\/\S+)/.exec(out);
      if (found) {
        clearTimeout(timer);
        resolve(new URL(found[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, url, exited };
}

class Client {
  readonly events: EngineEvent[] = [];
  private readonly pending = new Map<number, (m: Record<string, unknown>) => void>();
  private nextId = 1;
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      if ('event' in msg) this.events.push(msg.event as EngineEvent);
      else this.pending.get(msg.id as number)?.(msg);
    });
    this.closed = new Promise((r) => ws.on('close', () => r()));
  }

  static open(url: URL): Promise<Client> {
    const wsUrl = `ws://${url.host}/api?token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`;
    const ws = new WebSocket(wsUrl, { headers: { Origin: url.origin } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }

  call(method: string, ...args: unknown[]): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, args }));
    });
  }

  /** Every pid the engine reported tracking in live batches of a run. */
  trackedPids(runId: string): number[] {
    const pids = new Set<number>();
    for (const e of this.events) if (e.type === 'live' && e.batch.runId === runId) for (const t of e.batch.threads) pids.add(t.pid);
    return [...pids];
  }
}

async function startRunOverServe(c: Client, m: string): Promise<string> {
  const reply = await c.call('startRun', { kind: 'command', cmd: `${escapingChildren(m)} ${sleeper(m)}`, rateHz: 50, timeoutS: 60 });
  expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true });
  const runId = (reply.result as { runId: string }).runId;
  expect(await waitFor(() => pidsWithMarker(m).length >= 4, 10_000)).toBe(true);
  // Live batches that name the marker processes: the engine is tracking the whole tree.
  expect(await waitFor(() => c.trackedPids(runId).length >= 5, 10_000), 'live batches with the tree').toBe(true);
  return runId;
}

describe('corescope serve ending while a run it started is going', () => {
  it('SIGKILL of the serve process: the workload tree still dies (the keeper’s parent-death signal)', async () => {
    const s = await startServe();
    const c = await Client.open(s.url);
    const m = newMarker('serve-kill');
    markersUsed.push(m);
    const runId = await startRunOverServe(c, m);
    const tracked = c.trackedPids(runId);
    expect(survivors(tracked).length).toBeGreaterThanOrEqual(4);
    s.child.kill('SIGKILL');
    await s.exited;
    await c.closed;
    await expectNothingLeft(m, tracked, [s.child.pid!]);
  });

  it('SIGTERM of the serve process: the tree dies and serve exits 0', async () => {
    const s = await startServe();
    const c = await Client.open(s.url);
    const m = newMarker('serve-term');
    markersUsed.push(m);
    const runId = await startRunOverServe(c, m);
    const tracked = c.trackedPids(runId);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await expectNothingLeft(m, tracked, [s.child.pid!]);
  });

  it('the tab goes away (WebSocket closed): the run it started is cancelled and the tree dies', async () => {
    const s = await startServe();
    const c = await Client.open(s.url);
    const m = newMarker('serve-close');
    markersUsed.push(m);
    const runId = await startRunOverServe(c, m);
    const tracked = c.trackedPids(runId);
    c.ws.terminate();
    await expectNothingLeft(m, tracked, [s.child.pid!]);
    // The server is still up for the next tab, and the report of the cancelled run is kept.
    const c2 = await Client.open(s.url);
    const got = await c2.call('getRun', runId);
    expect(got).toMatchObject({ ok: true });
    const rec = got.result as RunRecord;
    expect(rec.result.exit.reason).toBe('cancelled');
    expect(rec.samples.t.length).toBeGreaterThan(5);
    c2.ws.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('cancelRun over the API: the report is marked cancelled and keeps what was recorded', async () => {
    const s = await startServe();
    const c = await Client.open(s.url);
    const m = newMarker('serve-cancel');
    markersUsed.push(m);
    const runId = await startRunOverServe(c, m);
    await new Promise((r) => setTimeout(r, 300));
    expect(await c.call('cancelRun', runId)).toMatchObject({ ok: true });
    const got = await c.call('getRun', runId);
    expect(got).toMatchObject({ ok: true });
    const rec = got.result as RunRecord;
    expect(rec.result.exit.reason).toBe('cancelled');
    expect(rec.samples.t.length).toBeGreaterThan(10);
    expect(markerProcesses(rec, m)).toBeGreaterThanOrEqual(4);
    await expectNothingLeft(m, [...pidsOf(rec), ...c.trackedPids(runId)], [s.child.pid!]);
    c.ws.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
