// Engine lifetime for one CLI command: Ctrl-C, SIGTERM and a closed terminal (SIGHUP) end every
// workload tree before exit, and the command still prints and saves what was recorded. With
// `--on HOST` the engine is the one on that machine, reached over SSH (issue #18): the same
// four calls, and the same ending of its runs.
import { createEngine, RemoteEngine, type EngineOptions, type SshTarget } from '../engine';
import type { EngineEvent, RunRequest } from '../shared/api';
import type { RunRecord, SystemInfo } from '../shared/types';

/** What a command needs of an engine, local or on another machine. */
export interface CommandEngine {
  info(): Promise<SystemInfo>;
  runToEnd(request: RunRequest): Promise<RunRecord>;
  onEvent(listener: (e: EngineEvent) => void): () => void;
  dispose(): Promise<void>;
  /** On another machine: why its connection is gone, or null while it is up. */
  readonly lost?: string | null;
}

export interface CommandEngineOptions extends EngineOptions {
  /** `--on`: the machine to run on. */
  on?: SshTarget;
  /** `--ssh-config FILE`. */
  sshConfig?: string;
}

/** The exit code for each signal that interrupts a command: 128 + the signal's number. */
export const INTERRUPT_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
type InterruptSignal = keyof typeof INTERRUPT_EXIT_CODES;
const SIGNALS = Object.keys(INTERRUPT_EXIT_CODES) as InterruptSignal[];

/** A local engine, or the one on `options.on` (connected, the bundle sent if it must be). */
export async function openEngine(options: CommandEngineOptions): Promise<CommandEngine> {
  if (!options.on) return createEngine(options);
  const on = options.on;
  process.stderr.write(`corescope: connecting to ${on.text} over ssh…\n`);
  return RemoteEngine.connect(on, { configFile: options.sshConfig, onStatus: (line) => process.stderr.write(`corescope: ${line}\n`) });
}

export async function withEngine<T>(options: CommandEngineOptions, body: (engine: CommandEngine) => Promise<T>): Promise<T> {
  const engine = await openEngine(options);
  const onSignal = (signal: InterruptSignal): void => {
    if (signal === 'SIGHUP') {
      // The terminal may be gone: a write to it failing (EIO) must not end the process before
      // the recording is saved.
      process.stdout.on('error', () => undefined);
      process.stderr.on('error', () => undefined);
    }
    process.stderr.write(`\ncorescope: ${signal}: ending the workload…\n`);
    process.exitCode = INTERRUPT_EXIT_CODES[signal];
    // The run finishes as cancelled; the command prints what was recorded, then exits.
    void engine.dispose();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await body(engine);
  } finally {
    await engine.dispose();
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
