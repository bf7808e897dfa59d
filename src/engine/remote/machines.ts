// The app's other machines (issue #18): the connections the engine keeps open to them, and the
// machines used recently, remembered in the state folder so the Machines place lists them at the
// next start. A run with `on: host` goes to that machine's connection (engine.ts routes it).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineEntry } from '../../shared/model';
import { InputError } from '../../shared/runLimits';
import type { SystemInfo } from '../../shared/types';
import { writeFileDurable } from '../session/sessionFile';
import { RemoteEngine, RemoteError } from './remoteEngine';
import { parseSshTarget, type SshOptions } from './sshTarget';

/** How many machines the recent list keeps. */
const RECENT = 20;

interface Connected {
  engine: RemoteEngine;
  info: SystemInfo;
  /** When it was connected (ISO 8601). */
  since: string;
}

export class Machines {
  private readonly open = new Map<string, Connected>();
  private readonly pending = new Map<string, Promise<Connected>>();
  private writes: Promise<void> = Promise.resolve();

  constructor(
    /** The recent machines' file (machines.json in the state folder). */
    private readonly file: string,
    /** Told of each new connection, to route its events. */
    private readonly onConnect: (host: string, engine: RemoteEngine) => void,
    private readonly ssh: SshOptions = {},
  ) {}

  /** Connects (or reuses the open connection); `field` names the input in errors. */
  async connect(hostText: string, field = 'host'): Promise<MachineEntry> {
    const c = await this.connection(hostText, field);
    return { host: c.engine.target.text, connected: true, lastUsed: c.since, info: c.info };
  }

  /** The open connection to `host`, connecting first when there is none. */
  async engineFor(hostText: string, field = 'on'): Promise<RemoteEngine> {
    return (await this.connection(hostText, field)).engine;
  }

  /** The open connection to `host`; an InputError on `field` when there is none. */
  connected(hostText: string, field = 'host'): RemoteEngine {
    const key = parseSshTarget(hostText, field).text;
    const c = this.open.get(key);
    if (!c || c.engine.lost) throw new InputError(field, `${field}: ${JSON.stringify(key)} is not connected; connect to it first (its session is the runs made there since)`);
    return c.engine;
  }

  /** Whether `host` (as parseSshTarget spells it) has an open connection. */
  isConnected(host: string): boolean {
    const c = this.open.get(host);
    return !!c && !c.engine.lost;
  }

  /** Connected machines first (most recent first), then the remembered ones. */
  async list(): Promise<MachineEntry[]> {
    // The file is written after a connection, in the background: the open ones are listed from here.
    await this.writes;
    const recent = this.readRecent();
    const connected: MachineEntry[] = [...this.open.entries()].map(([host, c]) => ({ host, connected: true, lastUsed: recent.find((r) => r.host === host)?.lastUsed ?? c.since, info: c.info }));
    const before = recent.filter((r) => !this.open.has(r.host)).map((r) => ({ host: r.host, connected: false, lastUsed: r.lastUsed }));
    return [...connected, ...before];
  }

  /** Closes every connection (their runs end there). */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((c) => c.engine.dispose().catch(() => undefined)));
    await this.writes;
  }

  private connection(hostText: string, field: string): Promise<Connected> {
    const target = parseSshTarget(hostText, field);
    const key = target.text;
    const open = this.open.get(key);
    if (open && !open.engine.lost) return Promise.resolve(open);
    const already = this.pending.get(key);
    if (already) return already;
    const p = (async (): Promise<Connected> => {
      try {
        const engine = await RemoteEngine.connect(target, this.ssh);
        const info = await engine.info();
        const c = { engine, info, since: new Date().toISOString() };
        this.open.set(key, c);
        engine.onLost(() => {
          if (this.open.get(key) === c) this.open.delete(key);
        });
        this.onConnect(key, engine);
        this.remember(key);
        return c;
      } catch (err) {
        // The app names its own field ("Machine", "Run on"), not the command line's --on.
        if (err instanceof RemoteError) throw new InputError(field, err.reason);
        throw err;
      } finally {
        this.pending.delete(key);
      }
    })();
    this.pending.set(key, p);
    return p;
  }

  private readRecent(): { host: string; lastUsed: string }[] {
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (!Array.isArray(data)) return [];
      // Anyone may have written this file: only well-formed machines are listed.
      return data
        .filter((x): x is { host: string; lastUsed: string } => typeof x?.host === 'string' && typeof x?.lastUsed === 'string')
        .filter((x) => {
          try {
            parseSshTarget(x.host);
            return true;
          } catch {
            return false;
          }
        })
        .slice(0, RECENT);
    } catch {
      return [];
    }
  }

  private remember(host: string): void {
    const list = [{ host, lastUsed: new Date().toISOString() }, ...this.readRecent().filter((r) => r.host !== host)].slice(0, RECENT);
    this.writes = this.writes.then(async () => {
      try {
        mkdirSync(dirname(this.file), { recursive: true });
        await writeFileDurable(this.file, JSON.stringify(list, null, 2), { option: 'machines' });
      } catch {
        // Remembering is a convenience: a state folder that cannot be written loses the list, not the run.
      }
    });
  }
}
