// `corescope info`: the machine and the runtimes found.
import { formatInfo } from '../format';
import type { SshTarget } from '../../engine';
import { openEngine } from '../session';
import { terminalSafe } from '../../shared/terminalSafe';

export async function infoCommand(opts: { json?: boolean; python?: string; node?: string; on?: SshTarget; sshConfig?: string }): Promise<number> {
  const engine = await openEngine({ python: opts.python, node: opts.node, on: opts.on, sshConfig: opts.sshConfig });
  const info = await engine.info().finally(() => engine.dispose());
  const text = opts.on ? `${formatInfo(info)}\n  reached    over ssh as ${opts.on.text} (hostname ${info.hardware.hostname})` : formatInfo(info);
  process.stdout.write(opts.json ? `${JSON.stringify(info, null, 2)}\n` : `${terminalSafe(text)}\n`);
  return 0;
}
