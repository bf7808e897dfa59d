// A CoreScope engine on another machine, reached over SSH (issue #18). `connect` starts the
// remote end — `corescope agent --stdio` from the bundle this CoreScope sends (remoteBundle.ts),
// sending it first when the remote's cache does not hold it — through the system's ssh client
// (sshTarget.ts), then speaks the app's typed API over the channel's stdin and stdout: the
// WebSocket's messages, framed for a byte stream (shared/streamFrames.ts). Nothing listens on a
// port on either machine.
// Its runs are the remote's runs: live batches stream back as events, the finished record comes
// back whole. Closing the connection (dispose, Ctrl-C here, or the link dropping) closes the
// agent's stdin there, which ends every run it started; the keeper's parent-death signal covers
// the agent itself dying. What streamed of a run is kept as it arrives (liveRecord.ts), so a run
// whose connection drops still has a record here: what was recorded until then, marked incomplete.
import { spawn, type ChildProcess } from 'node:child_process';
import type { EngineEvent, RunRequest } from '../../shared/api';
import { apiOverCall, sendsBytes, type ApiCallMethod, type CalledApi } from '../../shared/apiOverCall';
import { InputError } from '../../shared/runLimits';
import { AGENT_HELLO, MAX_REPLY_FRAME_BYTES, StreamFrameReader, encodeStreamFrame } from '../../shared/streamFrames';
import type { RunRecord, SystemInfo } from '../../shared/types';
import { decodeServerMessage, encodeCall, type ServerMessage } from '../../shared/wire';
import { LiveRecord } from './liveRecord';
import { remoteBundle, type RemoteBundle } from './remoteBundle';
import { sshFailure } from './sshFailure';
import { shellQuote, sshArgs, type SshOptions, type SshTarget } from './sshTarget';

/** From starting ssh to the agent's first line, when the bundle is already there. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Sending the bundle (≈0.5 MB) on a first connection. */
const INSTALL_TIMEOUT_MS = 120_000;

export interface RemoteOptions extends SshOptions {
  /** One line per step of a connection (sending the bundle, starting): for progress on stderr. */
  onStatus?: (line: string) => void;
  /** The ssh binary (tests; default: ssh on PATH). */
  sshBinary?: string;
}

/** A machine given with --on that cannot be reached or used: the user's input, named. */
export class RemoteError extends InputError {
  constructor(
    /** "build-box: unreachable (…)": the machine as the user typed it, then what went wrong. */
    readonly reason: string,
    readonly kind: string,
  ) {
    // On the command line: "--on build-box: unreachable (…)"; the app names its own field.
    super('--on', `--on ${reason}`);
    this.name = 'RemoteError';
  }
}

/** The cache folder of a bundle on the remote, as a shell expression (its user's $HOME). */
const remoteDir = (hash: string): string => `"\${XDG_CACHE_HOME:-$HOME/.cache}/corescope/bundles/${hash}"`;

/**
 * The flags the agent's Node starts with: those the `corescope` command starts with (the first
 * line of bin/corescope.mjs; a unit test holds the two together). The agent samples there as the
 * CLI samples here.
 */
export const AGENT_NODE_FLAGS = ['--no-memory-reducer', '--single-threaded', '--interrupt-budget=540672'];

/** Checks the remote has what the bundle needs; starts the agent when the bundle is there. */
export function agentScript(b: RemoteBundle): string {
  return [
    `d=${remoteDir(b.hash)}`,
    'command -v node >/dev/null 2>&1 || { echo "CORESCOPE-MISSING node"; exit 0; }',
    `node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { echo "CORESCOPE-OLD-NODE $(node --version)"; exit 0; }`,
    'command -v python3 >/dev/null 2>&1 || { echo "CORESCOPE-MISSING python3"; exit 0; }',
    `[ -f "$d/${b.entry}" ] || { echo "CORESCOPE-NEED-BUNDLE"; exit 0; }`,
    `exec node ${AGENT_NODE_FLAGS.join(' ')} "$d/${b.entry}" agent --stdio`,
  ].join('\n');
}

/** Unpacks the bundle from stdin into a temp folder beside its place, then renames it there (atomic). */
function installScript(b: RemoteBundle): string {
  return [
    `d=${remoteDir(b.hash)}`,
    't="$d.part.$$"',
    'if mkdir -p "$t" && tar -xzf - -C "$t"; then',
    // -T: never into a folder a concurrent first connection put there first (theirs is the same bundle).
    `  mv -T "$t" "$d" 2>/dev/null || { rm -rf "$t"; [ -f "$d/${b.entry}" ]; } && { echo "CORESCOPE-INSTALLED"; exit 0; }`,
    'fi',
    'rm -rf "$t" 2>/dev/null',
    'echo "CORESCOPE-CANNOT-WRITE $d"',
  ].join('\n');
}

const shCommand = (script: string): string => `sh -c ${shellQuote(script)}`;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class RemoteEngine {
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly lostListeners = new Set<(why: string) => void>();
  private readonly runEnds = new Map<string, { ok: boolean; error?: string }>();
  /** What streamed of each run still going, by its id there. */
  private readonly streamed = new Map<string, LiveRecord>();
  /** Who waits for each run's end (runToEnd, and dispose after a cancel). */
  private readonly runWaiters = new Map<string, (() => void)[]>();
  private nextId = 1;
  private lostWhy: string | null = null;
  private systemInfo: Promise<SystemInfo> | null = null;
  private readonly exited: Promise<void>;
  readonly api: CalledApi;

  private constructor(
    readonly target: SshTarget,
    private readonly child: ChildProcess,
    reader: StreamFrameReader,
    leftover: Buffer,
  ) {
    this.api = apiOverCall((method, ...args) => this.call(method, args));
    const stderr = stderrTail(child);
    const onData = (chunk: Buffer): void => {
      let messages;
      try {
        messages = reader.push(chunk);
      } catch (err) {
        this.lose(`the remote CoreScope sent something that is not a message (${(err as Error).message})`);
        child.kill('SIGTERM');
        return;
      }
      for (const m of messages) {
        const msg = decodeServerMessage('text' in m ? m.text : m.binary);
        if (msg) this.onMessage(msg);
      }
    };
    child.stdout?.on('data', onData);
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        const tail = lastLines(stderr(), 2);
        this.lose(code === 255 ? sshFailure(target, stderr()).message : `the connection to ${target.text} ended (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ''}`);
        resolve();
      });
    });
    if (leftover.length) onData(leftover);
  }

  /** Connects to `target`, sending the bundle first when the remote does not have it. */
  static async connect(target: SshTarget, opts: RemoteOptions = {}): Promise<RemoteEngine> {
    const bundle = await remoteBundle();
    const first = await startAgent(target, bundle, opts);
    if (first !== 'need-bundle') return new RemoteEngine(target, first.child, first.reader, first.leftover);
    opts.onStatus?.(`sending CoreScope to ${target.text} (${(bundle.tarGz.length / 1024).toFixed(0)} KiB, once: it is kept there by content hash)…`);
    await installBundle(target, bundle, opts);
    const second = await startAgent(target, bundle, opts);
    if (second === 'need-bundle') throw new RemoteError(`${target.text}: the CoreScope bundle was sent but is not there afterwards`, 'bundle');
    return new RemoteEngine(target, second.child, second.reader, second.leftover);
  }

  /** Called once when the connection goes (dropped, closed, the agent gone), with why. */
  onLost(listener: (why: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Why the connection is gone, or null while it is up. */
  get lost(): string | null {
    return this.lostWhy;
  }

  /** The remote machine's hardware and runtimes (asked once). */
  info(): Promise<SystemInfo> {
    this.systemInfo ??= this.api.info();
    return this.systemInfo;
  }

  onEvent(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a run there, keeping what streams of it; `localId`: the id the record is to carry here. */
  async startRun(request: RunRequest, localId?: (remoteId: string) => string): Promise<{ runId: string }> {
    const { runId } = await this.api.startRun(request);
    this.streamed.set(runId, new LiveRecord(localId?.(runId) ?? runId, request));
    return { runId };
  }

  /**
   * A run whose connection was lost before it ended: what reached here, marked incomplete (null
   * while the connection is up, after the run ended there, or when no sample arrived).
   */
  lostRecord(runId: string): RunRecord | null {
    return this.lostWhy && !this.runEnds.has(runId) ? (this.streamed.get(runId)?.record(this.target.text, this.lostWhy) ?? null) : null;
  }

  /** Starts a run there and waits for its record (what the CLI does); `started` is told its id there. */
  async runToEnd(request: RunRequest, started?: (runId: string) => void): Promise<RunRecord> {
    const { runId } = await this.startRun(request);
    started?.(runId);
    await this.runEnd(runId);
    const end = this.runEnds.get(runId);
    if (!end) {
      const kept = this.lostRecord(runId);
      if (kept) return kept;
      throw new Error(`${this.lostWhy}; the run there was ended with it (nothing is left running on ${this.target.text}), and nothing it recorded had reached this machine`);
    }
    if (!end.ok) throw new Error(end.error ?? 'the run failed');
    return this.api.getRun(runId);
  }

  /** Resolves when the run has ended there, or the connection is gone. */
  private runEnd(runId: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.runEnds.has(runId) || this.lostWhy) resolve();
      else this.runWaiters.set(runId, [...(this.runWaiters.get(runId) ?? []), resolve]);
    });
  }

  /** Cancels the runs still going there, then closes the connection (the agent exits). */
  async dispose(): Promise<void> {
    if (!this.lostWhy) {
      const going = [...this.runWaiters.keys()];
      await Promise.race([Promise.all(going.map((id) => this.api.cancelRun(id).catch(() => undefined))), sleep(10_000)]);
      // Let runToEnd fetch the cancelled runs' records before the channel closes: the runs end,
      // then their getRun calls go out and are answered.
      await Promise.race([Promise.all(going.map((id) => this.runEnd(id))), sleep(10_000)]);
      const deadline = Date.now() + 10_000;
      await sleep(0);
      while (this.pending.size && !this.lostWhy && Date.now() < deadline) await sleep(20);
    }
    await this.close();
  }

  /** Closes the channel: the agent's stdin ends, and so do its runs. */
  async close(): Promise<void> {
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  private call(method: ApiCallMethod, args: unknown[]): Promise<unknown> {
    if (this.lostWhy) return Promise.reject(new Error(this.lostWhy));
    const id = this.nextId++;
    const frame = encodeStreamFrame(encodeCall({ id, method, args }, sendsBytes(method)));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin?.write(frame);
    });
  }

  private onMessage(msg: ServerMessage): void {
    if (msg.event) {
      const e = msg.event;
      if (e.type === 'live') this.streamed.get(e.batch.runId)?.add(e.batch);
      if (e.type === 'run-finished' || e.type === 'run-failed') {
        // The whole record is there now: what streamed is no longer needed here.
        this.streamed.delete(e.runId);
        this.runEnds.set(e.runId, e.type === 'run-finished' ? { ok: true } : { ok: false, error: e.error });
        for (const w of this.runWaiters.get(e.runId) ?? []) w();
        this.runWaiters.delete(e.runId);
      }
      for (const l of this.listeners) {
        try {
          l(e);
        } catch {
          // one broken listener must not starve the others
        }
      }
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else {
      const e = msg.error;
      // The remote engine's own input errors name the field as the API does, like a local one.
      p.reject(e?.code === 'bad-input' && e.field ? new InputError(e.field, e.message) : new Error(e?.message ?? 'the remote call failed'));
    }
  }

  private lose(why: string): void {
    if (this.lostWhy) return;
    this.lostWhy = why;
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
    for (const ws of this.runWaiters.values()) for (const w of ws) w();
    this.runWaiters.clear();
    for (const l of this.lostListeners) l(why);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** The last 4,000 characters ssh (or the remote shell) wrote on stderr, as they come. */
function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  return () => tail;
}

/** The last `n` lines of a text, on one line. */
const lastLines = (text: string, n: number): string => text.trim().split('\n').slice(-n).join(' ');

/** ssh's own failure (exit 255) as the error to show. */
function sshError(target: SshTarget, stderr: string): RemoteError {
  const f = sshFailure(target, stderr);
  return new RemoteError(f.message, f.kind);
}

type Started = { child: ChildProcess; reader: StreamFrameReader; leftover: Buffer } | 'need-bundle';

/** Runs the agent script; resolves once the agent said hello (or the bundle is missing). */
function startAgent(target: SshTarget, bundle: RemoteBundle, opts: RemoteOptions): Promise<Started> {
  return new Promise((resolve, reject) => {
    // Its own process group: Ctrl-C at the terminal must reach CoreScope, which cancels the runs
    // there and fetches their records, not ssh, which would drop the connection first. ssh still
    // ends with CoreScope however it ends: its stdin is CoreScope's pipe, and EOF closes it.
    const child = spawn(opts.sshBinary ?? 'ssh', sshArgs(target, shCommand(agentScript(bundle)), opts), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = Buffer.alloc(0);
    const stderr = stderrTail(child);
    let settled = false;
    const finish = (r: Started | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onOut);
      if (r instanceof Error) {
        child.kill('SIGTERM');
        reject(r);
      } else resolve(r);
    };
    const timer = setTimeout(() => finish(new RemoteError(`${target.text}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s (ssh connected: ${stderr().trim() ? `it said ${lastLines(stderr(), 1)}` : 'no word from it'})`, 'timeout')), CONNECT_TIMEOUT_MS);
    const onOut = (d: Buffer): void => {
      out = Buffer.concat([out, d]);
      const nl = out.indexOf(10);
      if (nl < 0) {
        if (out.length > 4096) finish(new RemoteError(`${target.text}: the remote shell printed something other than CoreScope's agent (${JSON.stringify(out.subarray(0, 80).toString())}…); a login script that prints to stdout breaks every ssh command, check ~/.bashrc there`, 'ssh'));
        return;
      }
      const line = out.subarray(0, nl).toString().trim();
      const rest = out.subarray(nl + 1);
      if (line === AGENT_HELLO) finish({ child, reader: new StreamFrameReader(MAX_REPLY_FRAME_BYTES), leftover: rest });
      else if (line === 'CORESCOPE-NEED-BUNDLE') finish('need-bundle');
      else if (line === 'CORESCOPE-MISSING node') finish(new RemoteError(`${target.text} has no Node.js on the PATH of a non-interactive ssh session (CoreScope needs Node.js ≥ 20 there): install it (e.g. apt install nodejs, or from https://nodejs.org), or make it reachable from ~/.profile's PATH without an interactive shell`, 'no-node'));
      else if (line.startsWith('CORESCOPE-OLD-NODE')) finish(new RemoteError(`${target.text} has Node.js ${line.split(' ')[1] ?? '(unknown)'}, and CoreScope needs ≥ 20 there: install a newer one (e.g. from https://nodejs.org)`, 'old-node'));
      else if (line === 'CORESCOPE-MISSING python3') finish(new RemoteError(`${target.text} has no python3 on the PATH of a non-interactive ssh session (CoreScope's keeper and Python scenarios need Python 3 there): install it (e.g. apt install python3)`, 'no-python'));
      else finish(new RemoteError(`${target.text}: the remote shell printed ${JSON.stringify(line.slice(0, 120))} before CoreScope's agent; a login script that prints to stdout breaks every ssh command, check ~/.bashrc there`, 'ssh'));
    };
    child.stdout.on('data', onOut);
    child.on('error', (err) => finish(new RemoteError(`cannot start ssh (${err.message}): CoreScope reaches other machines with the system's OpenSSH client; install it (e.g. apt install openssh-client)`, 'no-ssh')));
    child.on('close', (code) => {
      if (settled) return;
      if (code === 255) finish(sshError(target, stderr()));
      else finish(new RemoteError(`${target.text}: the remote CoreScope agent ended before it started (exit ${code})${stderr().trim() ? `: ${lastLines(stderr(), 3)}` : ''}`, 'agent'));
    });
  });
}

/** Sends the bundle into the remote's cache folder. */
function installBundle(target: SshTarget, bundle: RemoteBundle, opts: RemoteOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.sshBinary ?? 'ssh', sshArgs(target, shCommand(installScript(bundle)), opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    const stderr = stderrTail(child);
    const timer = setTimeout(() => child.kill('SIGTERM'), INSTALL_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(bundle.tarGz);
    child.on('error', (err) => reject(new RemoteError(`cannot start ssh (${err.message})`, 'no-ssh')));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (stdout.includes('CORESCOPE-INSTALLED')) return resolve();
      if (code === 255) return reject(sshError(target, stderr()));
      const where = /CORESCOPE-CANNOT-WRITE (.*)/.exec(stdout)?.[1]?.trim();
      const why = lastLines(stderr(), 2);
      if (where) return reject(new RemoteError(`${target.text}: cannot write CoreScope's bundle to ${where}${why ? ` (${why})` : ''}; free some space there or set XDG_CACHE_HOME for ssh sessions to a writable folder`, 'bundle'));
      reject(new RemoteError(`${target.text}: sending CoreScope's bundle failed (${signal ? `stopped after ${INSTALL_TIMEOUT_MS / 1000} s` : `exit ${code}`})${why ? `: ${why}` : ''}`, 'bundle'));
    });
  });
}
