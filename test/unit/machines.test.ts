// The engine's other machines without a network: what it remembers (a file anyone may have
// written), and what it refuses before any ssh starts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine';

const dir = mkdtempSync(join(tmpdir(), 'corescope-machines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('machines', () => {
  it('lists the remembered machines, leaving out entries that are not [user@]host[:port]', async () => {
    writeFileSync(join(dir, 'machines.json'), JSON.stringify([{ host: 'alice@box:2200', lastUsed: '2026-12-01T10:00:00.000Z' }, { host: '-oProxyCommand=x', lastUsed: 'x' }, { host: 7 }, 'junk']));
    const engine = createEngine({ stateDir: dir });
    expect(await engine.listMachines()).toEqual([{ host: 'alice@box:2200', connected: false, lastUsed: '2026-12-01T10:00:00.000Z' }]);
    await engine.dispose();
  });

  it("refuses a machine's session when it is not connected, or in a run's format", async () => {
    const engine = createEngine({ stateDir: dir });
    await expect(engine.exportMachineSession('box', 'session-gz')).rejects.toThrow(/^host: "box" is not connected; connect to it first/);
    await expect(engine.exportMachineSession('box', 'csv')).rejects.toThrow(/^format: a machine's session is saved as session-gz, session-json or html/);
    await expect(engine.connectMachine('-oProxyCommand=x')).rejects.toThrow(/^host: "-oProxyCommand=x" is not a host name.*e\.g\. alice@build-box/);
    await engine.dispose();
  });

  it('an agent (itself the other machine) reaches no further one', async () => {
    const agent = createEngine({ stateDir: dir, machines: false });
    await expect(agent.startRun({ kind: 'command', cmd: 'true', on: 'box' })).rejects.toThrow(/does not reach further machines/);
    expect(await agent.listMachines()).toEqual([]);
    await agent.dispose();
  });
});
