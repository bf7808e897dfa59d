// The Node flags the CLI starts with live on bin/corescope.mjs's first line; every other door
// that starts the CLI's Node (npm start, the bench, the agent on another machine) must start it
// the same way, or what it runs and measures is not what `corescope` runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error — a plain .mjs script without type declarations
import { cliNodeFlags } from '../../scripts/lib/cliNodeFlags.mjs';
import { AGENT_NODE_FLAGS, agentScript } from '../../src/engine/remote/remoteEngine';

const ROOT = join(__dirname, '..', '..');

describe("the CLI's Node flags", () => {
  it('are read from the first line of bin/corescope.mjs, and Node accepts them', () => {
    const flags = cliNodeFlags();
    expect(flags).toContain('--no-memory-reducer');
    const r = spawnSync(process.execPath, [...flags, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('are the agent’s on another machine', () => {
    expect(AGENT_NODE_FLAGS).toEqual(cliNodeFlags());
    expect(agentScript({ hash: 'h', entry: 'cli.mjs' } as never)).toContain(`exec node ${cliNodeFlags().join(' ')} "$d/cli.mjs" agent --stdio`);
  });

  it('are passed by npm start and the benches where they start the CLI’s Node themselves', () => {
    for (const script of ['scripts/start.mjs', 'scripts/bench.mjs', 'scripts/bench-soak.mjs']) expect(readFileSync(join(ROOT, script), 'utf8')).toMatch(/\(process\.execPath, \[\.\.\.cliNodeFlags\(\)/);
  });
});
