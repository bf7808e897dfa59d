// Engine lifetime for one CLI command: Ctrl-C and SIGTERM end every workload tree before exit.
import { createEngine, type Engine, type EngineOptions } from '../main/engine/engine';

export async function withEngine<T>(options: EngineOptions, body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = createEngine(options);
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\ncorescope: ${signal}: ending the workload…\n`);
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    // The run finishes as cancelled; the command prints what was recorded, then exits.
    void engine.dispose();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(engine);
  } finally {
    await engine.dispose();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
