// `corescope info`: the machine and the runtimes found.
import { formatInfo } from '../format';
import { createEngine } from '../../engine';

export async function infoCommand(opts: { json?: boolean; python?: string; node?: string }): Promise<number> {
  const info = await createEngine({ python: opts.python, node: opts.node }).info();
  process.stdout.write(opts.json ? `${JSON.stringify(info, null, 2)}\n` : `${formatInfo(info)}\n`);
  return 0;
}
