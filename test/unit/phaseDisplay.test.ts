// The display helpers of issue #14/#20 that need no browser: the CLI's phase lines (and their
// absence for files made before phases), the lanes' command names, and the report's phase section.
import { describe, expect, it } from 'vitest';
import { phaseLines } from '../../src/cli/format';
import { displayCommand, isKeeper } from '../../src/renderer/charts/laneProcesses';
import { phaseSection } from '../../src/engine/export/phaseReport';
import type { Phase } from '../../src/shared/types';

const phase = (kind: Phase['kind'], fromMs: number, toMs: number, text: string): Phase => ({ kind, fromMs, toMs, cores: 1, demand: 1, otherCores: 0, threads: 1, tasks: 0, text });

describe('phase display', () => {
  it('the CLI prints the phases in order and the serial fraction; nothing for old files', () => {
    const lines = phaseLines({ phases: [phase('startup', 0, 420, 'start-up on 1.00 cores'), phase('waiting', 420, 1920, 'mostly waiting')], serialFraction: { serialWorkMs: 100, parallelWorkMs: 300, fraction: 0.25, ceiling: 4 } });
    expect(lines[0]).toMatch(/2 in order/);
    expect(lines[1]).toMatch(/0\.00–0\.42 s\s+startup\s+start-up on 1\.00 cores/);
    expect(lines[2]).toMatch(/0\.42–1\.92 s\s+waiting/);
    expect(lines[3]).toMatch(/25 % .* Amdahl ceiling 4\.0×/);
    expect(phaseLines({})).toEqual([]);
    expect(phaseSection({ wallMs: 1000 } as never)).toBe('');
  });

  it('a process is never named by the keeper that launched it', () => {
    const cmd = '/usr/bin/python3 -S -I /work/main/workloads/keeper.py 4 8261 -- sort --parallel=2 big.txt';
    expect(isKeeper(cmd)).toBe(true);
    expect(displayCommand(cmd)).toBe('sort --parallel=2 big.txt');
    expect(displayCommand('python3 train.py')).toBe('python3 train.py');
  });

  it('the report strip escapes phase texts', () => {
    const html = phaseSection({ wallMs: 1000, phases: [phase('serial', 0, 1000, '<b>x</b>')], serialFraction: null } as never);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });
});
