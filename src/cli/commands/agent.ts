// `corescope agent --stdio`: the far end of `--on HOST` (issue #18). Started over SSH by the
// CoreScope on the user's desk (engine/remote/remoteEngine.ts), it speaks the app's typed API —
// the WebSocket's messages, framed for a byte stream (shared/streamFrames.ts) — on its stdin and
// stdout, and listens on no port. Its stdin closing (the user's CoreScope ended, the connection
// dropped, the ssh client was killed) ends every run it started: the workload trees go with it
// (and the keeper's parent-death signal covers this process dying any other way).
import { createEngine } from '../../engine';
import { openApiSession } from '../apiSession';
import { AGENT_HELLO, StreamFrameReader, encodeStreamFrame } from '../../shared/streamFrames';
import { CliInputError } from '../exitCodes';

export async function agentCommand(opts: { stdio?: boolean }): Promise<number> {
  if (!opts.stdio) throw new CliInputError('agent speaks only on its stdin and stdout: give --stdio (it is started by `--on HOST`, not by hand)');
  // Only frames may reach stdout: anything the engine logs goes to stderr (ssh shows it).
  console.log = console.error;
  console.info = console.error;
  // It is itself the other machine: it runs here and reaches no further one.
  const engine = createEngine({ machines: false });
  const out = process.stdout;
  out.on('error', () => undefined);
  const session = openApiSession(engine, (encoded) => {
    if (!out.destroyed) out.write(encodeStreamFrame(encoded));
  });
  out.write(`${AGENT_HELLO}\n`);

  await new Promise<void>((resolve) => {
    const reader = new StreamFrameReader();
    process.stdin.on('data', (chunk: Buffer) => {
      let messages;
      try {
        messages = reader.push(chunk);
      } catch (err) {
        process.stderr.write(`corescope agent: ${(err as Error).message}; closing\n`);
        resolve();
        return;
      }
      for (const m of messages) {
        if ('text' in m) session.onMessage(m.text, false);
        else session.onMessage(m.binary, true);
      }
    });
    process.stdin.on('end', () => resolve());
    process.stdin.on('error', () => resolve());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve());
  });
  process.stdin.destroy();
  // A call sent just before the input closed (the other side's last getRun, as it disconnects
  // after a cancel) is still answered while stdout is open; a few seconds at most.
  await Promise.race([session.answered(), new Promise((r) => setTimeout(r, 5000).unref())]);
  session.close();
  await engine.dispose();
  return 0;
}
