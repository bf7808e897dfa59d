// `--on [user@]host[:port]`: what ssh is given, and what never reaches it (an option in disguise,
// a port out of range), each refusal naming --on and the form.
import { describe, expect, it } from 'vitest';
import { parseSshTarget, parseSshTargets, shellQuote, sshArgs } from '../../src/engine/remote/sshTarget';
import { sshFailure } from '../../src/engine/remote/sshFailure';

describe('--on targets', () => {
  it('reads host, user@host, host:port, an ssh config alias and IPv6 in brackets', () => {
    expect(parseSshTarget('build-box')).toEqual({ text: 'build-box', host: 'build-box', user: undefined, port: undefined });
    expect(parseSshTarget('alice@10.0.0.7:2222')).toEqual({ text: 'alice@10.0.0.7:2222', host: '10.0.0.7', user: 'alice', port: 2222 });
    expect(parseSshTarget('[::1]:22')).toMatchObject({ host: '::1', port: 22 });
    expect(parseSshTarget('ci_runner.example.org')).toMatchObject({ host: 'ci_runner.example.org' });
  });

  it('refuses what ssh would read as an option, or not as a host, naming --on and the form', () => {
    for (const bad of ['-oProxyCommand=sh', 'a b', 'host:0', 'host:65536', 'host:ssh', 'user@', '@host', '-l@host', 'h;rm', '[zz]:1', '']) {
      expect(() => parseSshTarget(bad), bad).toThrow(/^--on: ".*" .*give \[user@\]host\[:port\]/);
    }
  });

  it('a list for the suite: every machine checked, none twice', () => {
    expect(parseSshTargets('a,b:2200,c@d').map((t) => t.host)).toEqual(['a', 'b', 'd']);
    expect(() => parseSshTargets('a,,b')).toThrow(/empty machine/);
    expect(() => parseSshTargets('a,a')).toThrow(/listed twice/);
  });

  it('ssh gets batch mode, a connect timeout, no terminal, and the host after "--"', () => {
    const args = sshArgs(parseSshTarget('alice@box:2200'), 'true', { configFile: '/tmp/cfg' });
    expect(args.slice(0, 2)).toEqual(['-F', '/tmp/cfg']);
    expect(args).toContain('BatchMode=yes');
    expect(args).toContain('ConnectTimeout=8');
    expect(args).toContain('-T');
    expect(args.slice(-3)).toEqual(['--', 'box', 'true']);
    expect(args.join(' ')).toMatch(/-p 2200 -l alice --/);
  });

  it('quotes a script as one shell word', () => {
    expect(shellQuote(`it's "here" $HOME`)).toBe(`'it'\\''s "here" $HOME'`);
  });

  it("reads ssh's own failures into what to do", () => {
    const t = parseSshTarget('box');
    expect(sshFailure(t, '@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@\nHost key verification failed.\n').kind).toBe('host-key-changed');
    expect(sshFailure(t, 'Host key verification failed.\n').kind).toBe('host-key-unknown');
    expect(sshFailure(t, 'root@box: Permission denied (publickey).\n').kind).toBe('auth');
    expect(sshFailure(t, 'ssh: connect to host box port 22: Connection refused\n').kind).toBe('unreachable');
    expect(sshFailure(t, 'ssh: Could not resolve hostname box: Name or service not known\n').kind).toBe('unreachable');
    expect(sshFailure(t, 'kex_exchange_identification: something new\n')).toEqual({ kind: 'ssh', message: 'box: ssh failed (kex_exchange_identification: something new)' });
  });
});
