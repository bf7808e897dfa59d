// What ssh's own failure means, in one line a user can act on (issue #18). ssh exits 255 on its
// own errors and says why on stderr in words that have not changed in years; anything not
// recognised is quoted as ssh said it.
import type { SshTarget } from './sshTarget';

export type SshFailureKind = 'unreachable' | 'auth' | 'host-key-changed' | 'host-key-unknown' | 'ssh';

export interface SshFailure {
  kind: SshFailureKind;
  message: string;
}

const lastLine = (stderr: string): string =>
  stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^@+$/.test(l) && !l.startsWith('Warning: Permanently added'))
    .at(-1) ?? '';

export function sshFailure(target: SshTarget, stderr: string): SshFailure {
  const who = target.text;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) {
    return { kind: 'host-key-changed', message: `${who}: its host key has CHANGED since it was last seen, so the connection was refused (a changed key is never accepted). If the machine was reinstalled, check its new key and run ssh-keygen -R ${target.host}; otherwise someone may be in the middle` };
  }
  if (/Host key verification failed|No .* host key is known/i.test(stderr)) {
    return { kind: 'host-key-unknown', message: `${who}: its host key is not known here yet; connect once with \`ssh ${who}\`, check the key it shows and accept it, then try again` };
  }
  if (/Permission denied|Too many authentication failures|no matching host key type|Authentication failed/i.test(stderr)) {
    return { kind: 'auth', message: `${who}: authentication refused (${lastLine(stderr)}); CoreScope never asks for a password: load your key into ssh-agent (ssh-add) or name it in ~/.ssh/config (IdentityFile)` };
  }
  if (/Could not resolve hostname|Name or service not known|Temporary failure in name resolution/i.test(stderr)) {
    return { kind: 'unreachable', message: `${who}: host name not found (${lastLine(stderr)})` };
  }
  if (/Connection refused|No route to host|Network is unreachable|Connection timed out|timed out|Connection closed by|Connection reset/i.test(stderr)) {
    return { kind: 'unreachable', message: `${who}: unreachable (${lastLine(stderr)})` };
  }
  return { kind: 'ssh', message: `${who}: ssh failed${lastLine(stderr) ? ` (${lastLine(stderr)})` : ''}` };
}
