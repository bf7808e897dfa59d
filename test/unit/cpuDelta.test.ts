// Per-core arithmetic between two /proc/stat readings: cpuDelta, usageBetween, busyTicksBetween.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCpuStat, type CpuTicks } from '../../src/engine/proc/parseCpuStat';
import { cpuDelta } from '../../src/engine/proc/cpuDelta';
import { busyTicksBetween, usageBetween } from '../../src/engine/sampler/coreSampler';

const fixture = (name: string): string => fs.readFileSync(fileURLToPath(new URL(`../fixtures/proc/${name}`, import.meta.url)), 'utf8');

const real = parseCpuStat(fixture('stat-2cpu.txt'));
const cpu0 = real.cores[0];
const cpu1 = real.cores[1];

const plus = (a: CpuTicks, d: Partial<CpuTicks>): CpuTicks => ({
  user: a.user + (d.user ?? 0),
  nice: a.nice + (d.nice ?? 0),
  system: a.system + (d.system ?? 0),
  idle: a.idle + (d.idle ?? 0),
  iowait: a.iowait + (d.iowait ?? 0),
  irq: a.irq + (d.irq ?? 0),
  softirq: a.softirq + (d.softirq ?? 0),
  steal: a.steal + (d.steal ?? 0),
});

describe('cpuDelta', () => {
  it('splits 100 ticks into user (+nice), system (+irq+softirq), iowait and idle', () => {
    const b = plus(cpu0, { user: 30, nice: 10, system: 15, irq: 2, softirq: 3, iowait: 5, idle: 35 });
    const d = cpuDelta(cpu0, b);
    expect(d.ticks).toBe(100);
    expect(d.user).toBeCloseTo(0.4, 12);
    expect(d.system).toBeCloseTo(0.2, 12);
    expect(d.iowait).toBeCloseTo(0.05, 12);
    expect(d.idle).toBeCloseTo(0.35, 12);
    expect(d.user + d.system + d.iowait + d.idle).toBeCloseTo(1, 12);
  });

  it('counts time stolen by the hypervisor as idle (not ours)', () => {
    const d = cpuDelta(cpu1, plus(cpu1, { user: 50, steal: 50 }));
    expect(d).toEqual({ user: 0.5, system: 0, iowait: 0, idle: 0.5, ticks: 100 });
  });

  it('a fully busy interval is all user', () => {
    expect(cpuDelta(cpu0, plus(cpu0, { user: 7 }))).toEqual({ user: 1, system: 0, iowait: 0, idle: 0, ticks: 7 });
  });

  it('a zero-tick interval is all idle with ticks 0 (no division by zero)', () => {
    expect(cpuDelta(cpu0, cpu0)).toEqual({ user: 0, system: 0, iowait: 0, idle: 1, ticks: 0 });
  });

  it('clamps iowait going backwards to 0 and keeps the rest summing to 1', () => {
    const d = cpuDelta(cpu0, plus(cpu0, { user: 20, idle: 60, iowait: -3 }));
    expect(d.iowait).toBe(0);
    expect(d.ticks).toBe(80);
    expect(d.user).toBeCloseTo(0.25, 12);
    expect(d.idle).toBeCloseTo(0.75, 12);
  });

  it('clamps any state going backwards (a counter reset) to 0', () => {
    const d = cpuDelta(cpu0, plus(cpu0, { user: -500, system: 10, idle: 30 }));
    expect(d.user).toBe(0);
    expect(d.ticks).toBe(40);
    expect(d.system).toBeCloseTo(0.25, 12);
    expect(d.idle).toBeCloseTo(0.75, 12);
  });

  it('every counter going backwards is a zero-tick interval', () => {
    expect(cpuDelta(plus(cpu0, { user: 9, system: 9, idle: 9, iowait: 9 }), cpu0)).toEqual({ user: 0, system: 0, iowait: 0, idle: 1, ticks: 0 });
  });

  it('property: fractions are each in [0, 1] and sum to 1, whatever the counters do', () => {
    const counter = fc.integer({ min: 0, max: 2 ** 40 });
    const ticks = fc.record({
      user: counter, nice: counter, system: counter, idle: counter, iowait: counter, irq: counter, softirq: counter, steal: counter,
    });
    fc.assert(
      fc.property(ticks, ticks, (a, b) => {
        const d = cpuDelta(a, b);
        for (const v of [d.user, d.system, d.iowait, d.idle]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(d.user + d.system + d.iowait + d.idle).toBeCloseTo(1, 9);
        expect(d.ticks).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('usageBetween', () => {
  it('gives one usage per core of the later reading', () => {
    const b = { cores: [plus(cpu0, { user: 10, idle: 10 }), plus(cpu1, { system: 5, iowait: 5 })] };
    expect(usageBetween({ cores: [cpu0, cpu1] }, b)).toEqual([
      { user: 0.5, system: 0, iowait: 0, idle: 0.5 },
      { user: 0, system: 0.5, iowait: 0.5, idle: 0 },
    ]);
  });

  it('shows a core that went offline, or came online, as idle', () => {
    const a = parseCpuStat(fixture('stat-2cpu.txt'));
    const b = parseCpuStat(fixture('stat-offline-cpu1.txt'));
    const u = usageBetween(a, b);
    expect(u).toHaveLength(3);
    // cpu1 is gone from b, cpu2 is new in b: nothing to compare, so idle.
    expect(u[1]).toEqual({ user: 0, system: 0, iowait: 0, idle: 1 });
    expect(u[2]).toEqual({ user: 0, system: 0, iowait: 0, idle: 1 });
    const sum = u[0].user + u[0].system + u[0].iowait + u[0].idle;
    expect(sum).toBeCloseTo(1, 12);
  });

  it('is all idle for two identical readings', () => {
    expect(usageBetween(real, real)).toEqual([
      { user: 0, system: 0, iowait: 0, idle: 1 },
      { user: 0, system: 0, iowait: 0, idle: 1 },
    ]);
  });
});

describe('busyTicksBetween', () => {
  it('sums busy (user+nice+system+irq+softirq) and all ticks over cores', () => {
    const b = { cores: [plus(cpu0, { user: 30, nice: 10, system: 15, irq: 2, softirq: 3, iowait: 5, idle: 35 }), plus(cpu1, { user: 100 })] };
    expect(busyTicksBetween({ cores: [cpu0, cpu1] }, b)).toEqual({ busy: 160, total: 200 });
  });

  it('counts steal in the total but not as busy', () => {
    expect(busyTicksBetween({ cores: [cpu0] }, { cores: [plus(cpu0, { user: 10, steal: 30 })] })).toEqual({ busy: 10, total: 40 });
  });

  it('skips cores missing from either reading', () => {
    const a = parseCpuStat(fixture('stat-2cpu.txt'));
    const b = { cores: [plus(a.cores[0], { user: 4, idle: 6 })] as CpuTicks[] };
    b.cores[2] = plus(a.cores[0], { user: 1000 });
    expect(busyTicksBetween(a, b)).toEqual({ busy: 4, total: 10 });
  });

  it('is zero for a zero-tick interval and clamps a core whose counters went backwards', () => {
    expect(busyTicksBetween(real, real)).toEqual({ busy: 0, total: 0 });
    const back = { cores: [plus(cpu0, { user: -50, idle: -50 }), plus(cpu1, { user: 8, idle: 2 })] };
    expect(busyTicksBetween(real, back)).toEqual({ busy: 8, total: 10 });
  });

  // Regression: busyTicksBetween once summed the raw negative iowait delta into `total`, so total
  // fell below busy (busy 10, total 0); fixed in e157598.
  it('agrees with cpuDelta when iowait goes backwards: total never below busy', () => {
    const b = plus(cpu0, { user: 10, iowait: -20 });
    const t = busyTicksBetween({ cores: [cpu0] }, { cores: [b] });
    expect(t.busy).toBe(10);
    expect(t.total).toBe(cpuDelta(cpu0, b).ticks);
    expect(t.total).toBeGreaterThanOrEqual(t.busy);
  });
});
