// Engine lifetime for one CLI command: Ctrl-C, SIGTERM and a closed terminal (SIGHUP) end every
// workload tree before exit, and the command still prints and saves what was recorded.
import { createEngine, type Engine, type EngineOptions } from '../engine';

/** The exit code for each signal that interrupts a command: 128 + the signal's number. */
export const INTERRUPT_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
type InterruptSignal = keyof typeof INTERRUPT_EXIT_CODES;
const SIGNALS = Object.keys(INTERRUPT_EXIT_CODES) as InterruptSignal[];

export async function withEngine<T>(options: EngineOptions, body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = createEngine(options);
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
