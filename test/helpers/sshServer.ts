// A real OpenSSH server for the remote tests (issue #18): Debian's sshd on a free loopback port,
// run in the foreground by the test with its own host key, an authorized key generated for the
// test, and an ssh client config (given to CoreScope as --ssh-config) that names it by an alias.
// Nothing leaves the loopback interface. The "remote" is this machine, as root: its bundle cache
// is a folder of the test's own (sshd's SetEnv XDG_CACHE_HOME), never the user's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface SshServer {
  port: number;
  /** Its own folder (keys, configs); removed by stop(). */
  dir: string;
  /** The ssh client config naming `alias` (and the aliases of `extraAliases`). */
  clientConfig: string;
  alias: string;
  /** Where the remote end keeps CoreScope's bundles (sshd sets XDG_CACHE_HOME to it). */
  cacheDir: string;
  hostPublicKey: string;
  /** Writes a client config for a new alias of this server, with its own known_hosts / key. */
  addAlias(alias: string, opts?: { knownHosts?: string; identityFile?: string; port?: number }): void;
  sshd: ChildProcess;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'corescope-test', '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is missing: install Debian's openssh-server (.ci/run does)`;
  if (spawnSync('ssh', ['-V']).status !== 0) return 'the ssh client is missing: install openssh-client';
  return null;
}

/** Starts sshd; `cacheDir` overrides the remote's bundle cache (a path that cannot be written, for the error test). */
export async function startSshServer(opts: { alias?: string; cacheDir?: string } = {}): Promise<SshServer> {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'corescope-sshd-'));
  const alias = opts.alias ?? 'remote-a';
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const cacheDir = opts.cacheDir ?? join(dir, 'remote-cache');
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `SetEnv XDG_CACHE_HOME=${cacheDir}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // sshd refuses to start without its privilege separation folder.
  mkdirSync('/run/sshd', { recursive: true });
  const sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sshd.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (sshd.exitCode !== null || Date.now() > deadline) {
      sshd.kill('SIGKILL');
      throw new Error(`sshd did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const hostPublicKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const configs: string[] = [];
  const addAlias = (name: string, o: { knownHosts?: string; identityFile?: string; port?: number } = {}): void => {
    const knownHosts = join(dir, `known_hosts.${name}`);
    writeFileSync(knownHosts, o.knownHosts ?? `[127.0.0.1]:${port} ${hostPublicKey}\n`);
    configs.push(
      [
        `Host ${name}`,
        '  HostName 127.0.0.1',
        `  Port ${o.port ?? port}`,
        '  User root',
        `  IdentityFile ${o.identityFile ?? join(dir, 'client_key')}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'ssh_config'), configs.join('\n'));
  };
  addAlias(alias);
  return {
    port,
    dir,
    clientConfig: join(dir, 'ssh_config'),
    alias,
    cacheDir,
    hostPublicKey,
    addAlias,
    sshd,
    async stop() {
      if (sshd.exitCode === null) {
        const gone = new Promise((r) => sshd.once('exit', r));
        sshd.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
