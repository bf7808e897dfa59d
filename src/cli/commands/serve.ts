// `corescope serve`: the app in a browser, until Ctrl-C.
import { createEngine } from '../../main/engine/engine';
import { startServer } from '../serve';
import { CliInputError } from '../exitCodes';

export async function serveCommand(opts: { port: number; open?: boolean }): Promise<number> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new CliInputError(`--port must be an integer from 0 to 65535 (got ${opts.port})`);
  const engine = createEngine();
  const server = await startServer({ engine, port: opts.port, open: opts.open });
  process.stdout.write(`CoreScope is serving on ${server.url}\n`);
  if (opts.open && !server.opened) process.stdout.write('No Chromium or Chrome found to open it: open the URL above in a browser.\n');
  process.stdout.write('Press Ctrl-C to stop (running workloads are ended).\n');
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await engine.dispose();
  return 0;
}
