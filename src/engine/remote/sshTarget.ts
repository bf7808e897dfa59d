// Where `--on [user@]host[:port]` points, and the ssh command line that reaches it (issue #18).
// CoreScope goes through the system's OpenSSH client, so the user's ~/.ssh/config, keys, agent
// and known_hosts apply as they do for `ssh host`; `--ssh-config FILE` passes `-F FILE`.
// Options fixed here, and why:
//   BatchMode=yes       never a password or passphrase prompt, nor a host-key question: a
//                       CoreScope that waits on a prompt nobody sees looks hung. Keys come from
//                       the agent or the config; an unknown host key is an error that says how
//                       to accept it (by connecting once with ssh), and a changed one is refused
//                       as ssh refuses it.
//   ConnectTimeout=8    an unreachable host is an error within 10 s, not after the TCP timeout.
//   ServerAliveInterval a connection that drops mid-run is noticed in ~15 s on this side; the
//                       remote's sshd closes the agent's stdin and its runs end there.
import { InputError } from '../../shared/runLimits';

export interface SshTarget {
  /** As the user typed it (for messages). */
  text: string;
  user?: string;
  host: string;
  port?: number;
}

// A host name, an ssh config alias, an IPv4 address, or an IPv6 one in brackets. Never starting
// with "-": ssh would read it as an option.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const IPV6 = /^\[([0-9A-Fa-f:.]+)\]$/;

/**
 * Parses one `[user@]host[:port]`, or throws an InputError naming `field` and the form: an
 * option's examples as typed on the command line (`--on alice@…`), a form field's as typed there.
 */
export function parseSshTarget(text: string, field = '--on'): SshTarget {
  const as = field.startsWith('--') ? `${field} ` : '';
  const bad = (why: string): never => {
    throw new InputError(field, `${field}: ${JSON.stringify(text)} ${why}; give [user@]host[:port], e.g. ${as}alice@build-box or ${as}10.0.0.7:2222`);
  };
  const t = text.trim();
  if (!t) bad('is empty');
  let rest = t;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!NAME.test(user)) bad('has a user name ssh would not take (letters, digits, ".", "_", "-"; not starting with "-")');
  }
  let host = rest;
  let port: number | undefined;
  const v6 = /^(\[[^\]]*\])(?::(.*))?$/.exec(rest);
  const portText = v6 ? v6[2] : rest.includes(':') ? rest.slice(rest.lastIndexOf(':') + 1) : undefined;
  if (v6) {
    const m = IPV6.exec(v6[1]);
    if (!m) bad('has an IPv6 address ssh would not take');
    host = m![1];
  } else if (portText !== undefined) host = rest.slice(0, rest.lastIndexOf(':'));
  if (!v6 && !NAME.test(host)) bad('is not a host name, address or ssh config alias (letters, digits, ".", "_", "-"; not starting with "-")');
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) bad('has a port that is not a whole number from 1 to 65535');
    port = Number(portText);
  }
  return { text: t, user, host, port };
}

/** Several targets, comma-separated (`suite --on a,b,c`), each checked; duplicates refused. */
export function parseSshTargets(text: string, field = '--on'): SshTarget[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => !p)) throw new InputError(field, `${field}: ${JSON.stringify(text)} has an empty machine in its list; give host,host,… (each [user@]host[:port])`);
  const targets = parts.map((p) => parseSshTarget(p, field));
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.text)) throw new InputError(field, `${field}: ${JSON.stringify(t.text)} is listed twice in ${JSON.stringify(text)}`);
    seen.add(t.text);
  }
  return targets;
}

export interface SshOptions {
  /** `--ssh-config FILE`: passed to ssh as -F. */
  configFile?: string;
}

/** ssh's arguments to run `remoteCommand` (one string, run by the remote user's shell) on the target. */
export function sshArgs(target: SshTarget, remoteCommand: string, opts: SshOptions = {}): string[] {
  return [
    ...(opts.configFile ? ['-F', opts.configFile] : []),
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=8',
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    // No pseudo-terminal: the channel carries frames, and a closed stdin must reach the agent.
    '-T',
    ...(target.port ? ['-p', String(target.port)] : []),
    ...(target.user ? ['-l', target.user] : []),
    '--',
    target.host,
    remoteCommand,
  ];
}

/** A string as one word for a POSIX shell (and for bash, zsh and fish alike). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
