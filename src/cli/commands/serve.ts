// `corescope serve`: the app in a browser, until Ctrl-C.
import { createEngine } from '../../engine';
import { startServer } from '../serve';
import { CliInputError } from '../exitCodes';

export async function serveCommand(opts: { port: number; open?: boolean; sshConfig?: string }): Promise<number> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new CliInputError(`--port must be an integer from 0 to 65535 (got ${opts.port})`);
  const engine = createEngine({ sshConfig: opts.sshConfig });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ engine, port: opts.port, open: opts.open });
  } catch (err) {
    await engine.dispose();
    throw listenError(err, opts.port);
  }
  process.stdout.write(`CoreScope is serving on ${server.url}\n`);
  if (opts.open && !server.opened) process.stdout.write('No Chromium or Chrome found to open it: open the URL above in a browser.\n');
  process.stdout.write('Press Ctrl-C to stop (running workloads are ended).\n');
  // Ctrl-C at a terminal reaches every process of its group, and `npm start` forwards it too: the
  // listeners stay (on, not once) so a second signal during the shutdown cannot cut it short.
  // Closing the terminal (SIGHUP) stops it the same way.
  const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  await new Promise<void>((resolve) => {
    for (const signal of stopSignals) process.on(signal, () => resolve());
  });
  await server.close();
  await engine.dispose();
  return 0;
}

/** A port that cannot be listened on is the user's input: one line naming --port, exit 2. */
function listenError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new CliInputError(`--port ${port} is already in use by another program; choose another port, or 0 for any free one`);
  if (code === 'EACCES') return new CliInputError(`--port ${port} needs privileges this user does not have; choose a port above 1023, or 0 for any free one`);
  return err;
}
