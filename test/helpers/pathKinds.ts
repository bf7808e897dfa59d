// The kinds of path an output file must never be written to, made in a temp folder of the test's
// own: a read-only file, a folder, a FIFO, a character device (mknod, as root, with /dev/null's
// numbers — never the real /dev) and a listening unix socket. Names: ro.json, folder, fifo,
// null, sock. Returns what to call when the test is done.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export async function makeRefusedPathKinds(dir: string, readOnlyContent: string): Promise<{ close(): Promise<void> }> {
  const at = (name: string): string => join(dir, name);
  writeFileSync(at('ro.json'), readOnlyContent);
  chmodSync(at('ro.json'), 0o444);
  mkdirSync(at('folder'));
  for (const [cmd, args] of [['mkfifo', [at('fifo')]], ['mknod', [at('null'), 'c', '1', '3']]] as const) {
    const r = spawnSync(cmd, args);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(at('sock'), resolve));
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
