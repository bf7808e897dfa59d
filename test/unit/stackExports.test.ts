// Which code in the exports (issue #15): the trace-event file's flame chart per thread and its
// findings, and the HTML report's code lines and top stacks — on synthetic stack samples whose
// answer is known (test/helpers/stackRecord.ts: two threads taking turns at the GIL in count(),
// an event loop blocked in crunch(), asyncio tasks waiting at sleep()).
import { describe, expect, it } from 'vitest';
import { PHASES_PID, runToTrace, type TraceEvent } from '../../src/engine/export/traceEvents';
import { runReportHtml } from '../../src/engine/export/htmlReport';
import { phaseTable } from '../../src/engine/export/phaseReport';
import { findingsTable, topStacks, whichCodeSection, MAX_FINDINGS_SHOWN } from '../../src/engine/export/stackReport';
import { StackSamplesBuilder, type StackFrame } from '../../src/shared/stackSamples';
import type { Finding, RunRecord } from '../../src/shared/types';
import { HZ, PID, stackRecord } from '../helpers/stackRecord';
import { nestingProblems, validateTrace } from '../helpers/traceFormat';

const CODE_TID_MIN = 2 ** 23;
const codeSlices = (events: TraceEvent[], threadName: string): TraceEvent[] => {
  const meta = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && (e.args as { name: string }).name.startsWith(`${threadName} — code`));
  expect(meta, `no code track for ${threadName}`).toBeDefined();
  return events.filter((e) => e.ph === 'X' && e.pid === meta!.pid && e.tid === meta!.tid);
};
const totalByName = (slices: TraceEvent[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const e of slices) m.set(e.name, (m.get(e.name) ?? 0) + (e.dur ?? 0));
  return m;
};
const withStacks = (build: (b: StackSamplesBuilder) => void): RunRecord => {
  const rec = stackRecord();
  const b = new StackSamplesBuilder(HZ);
  build(b);
  return { ...rec, stacks: b.build(), result: { ...rec.result, findings: [] } };
};
const fr = (name: string, line: number, file = '/home/me/app/app.py'): StackFrame => ({ name, file, line });

describe('trace export: stack samples as a flame chart per thread', () => {
  const record = stackRecord();
  const trace = runToTrace(record, { corescopeVersion: '0.1.0' });
  const events = trace.traceEvents;
  const json = JSON.parse(JSON.stringify(trace)) as { traceEvents: TraceEvent[] };

  it('stays a valid trace whose every track nests', () => {
    expect(validateTrace(json)).toEqual([]);
    expect(nestingProblems(json.traceEvents)).toEqual([]);
    expect(events.filter((e) => e.cat === 'stack').every((e) => (e.dur ?? 0) > 0)).toBe(true);
  });

  it('never ends and begins one frame at one instant on a track (viewers pair those by name and mis-nest them)', () => {
    // Start-up alternates <module> → _find_and_load → exec_module → get_code with
    // <module> → exec_module → get_code: exec_module ends at one depth and begins at another.
    const ends = new Set<string>();
    for (const e of events) if (e.cat === 'stack') ends.add(`${e.tid}|${e.ts + (e.dur ?? 0)}|${e.name}`);
    const rebegun = events.filter((e) => e.cat === 'stack' && ends.has(`${e.tid}|${e.ts}|${e.name}`));
    expect(rebegun.map((e) => `${e.name} at ${e.ts}`)).toEqual([]);
    // …and the alternation is drawn: exec_module runs all of start-up, _find_and_load half of it.
    const main = totalByName(codeSlices(events, 'MainThread'));
    expect(main.get('exec_module() at <frozen importlib._bootstrap_external>:940')).toBeGreaterThan(195_000);
    // (less the microsecond by which a frame begun again at another depth starts late)
    expect(main.get('_find_and_load() at <frozen importlib._bootstrap>:1176')).toBeGreaterThanOrEqual(99_990);
    expect(main.get('_find_and_load() at <frozen importlib._bootstrap>:1176')).toBeLessThanOrEqual(100_000);
  });

  it('gives each sampled thread a code track in its own process, sorted right below its lane', () => {
    const names = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid >= CODE_TID_MIN).map((e) => [e.pid, (e.args as { name: string }).name]);
    expect(names).toEqual([
      [PID, 'MainThread — code (tid 100)'],
      [PID, 'worker-1 — code (tid 101)'],
      [PID, 'worker-2 — code (tid 102)'],
    ]);
    const sortIndex = new Map(events.filter((e) => e.name === 'thread_sort_index').map((e) => [e.tid, (e.args as { sort_index: number }).sort_index]));
    // The sampler's threads in order (python3, worker-1, worker-2): lane 2k, its code 2k + 1.
    expect([sortIndex.get(PID), sortIndex.get(CODE_TID_MIN)]).toEqual([0, 1]);
    expect([sortIndex.get(101), sortIndex.get(CODE_TID_MIN + 1)]).toEqual([2, 3]);
    expect([sortIndex.get(102), sortIndex.get(CODE_TID_MIN + 2)]).toEqual([4, 5]);
    // The thread's own lane keeps only its running slices.
    expect(events.filter((e) => e.ph === 'X' && e.tid === 101).every((e) => e.name.startsWith('running on cpu'))).toBe(true);
  });

  it('merges a frame while it stays at its depth, each sample lasting until the next (one interval for the last)', () => {
    const w1 = codeSlices(events, 'worker-1');
    const outer = w1.filter((e) => !e.name.startsWith('count'));
    expect(outer.map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['_bootstrap() at python3.11/threading.py:1002', 201_000, 800_000],
      ['_bootstrap_inner() at python3.11/threading.py:1045', 201_000, 800_000],
      ['run() at python3.11/threading.py:982', 201_000, 800_000],
      ['worker() at app/app.py:20', 201_000, 800_000],
    ]);
    // count() moves between lines 12 and 13 every 100 ms: one slice per stretch on a line.
    const count = w1.filter((e) => e.name.startsWith('count'));
    expect(count.map((e) => [e.name.slice(-2), e.ts, e.dur])).toEqual(
      Array.from({ length: 8 }, (_, k) => [k % 2 ? '13' : '12', 201_000 + k * 100_000, 100_000]),
    );
    const main = totalByName(codeSlices(events, 'MainThread'));
    expect(main.get('<module>() at app/app.py:60')).toBe(1_200_000);
    expect(main.get('join() at python3.11/threading.py:1119')).toBe(800_000);
    expect(main.get('crunch() at app/app.py:55')).toBe(120_000);
    expect(main.get('select() at python3.11/selectors.py:468')).toBe(80_000);
  });

  it('leaves suspended asyncio tasks out, and says so', () => {
    expect(events.some((e) => e.name.startsWith('sleep() at'))).toBe(false);
    expect(trace.otherData.stacks).toMatch(/^280 thread stack samples at 100 Hz on 3 code track\(s\), as \d+ slices; 40 suspended asyncio task samples not drawn/);
  });

  it('puts the findings on "which code" lanes of the Phases process, with their text; each phase carries its code line', () => {
    const findings = record.result.findings!;
    expect(findings.map((f) => f.kind).sort()).toEqual(['blocked', 'gil', 'hot', 'waiting']);
    const slices = events.filter((e) => e.cat === 'finding');
    expect(slices).toHaveLength(findings.length);
    expect(slices.every((e) => e.pid === PHASES_PID && e.tid >= 2)).toBe(true);
    const blocked = slices.find((e) => e.name === 'blocked: crunch')!;
    expect([blocked.ts, blocked.dur]).toEqual([1_030_000, 120_000]);
    expect((blocked.args as { text: string }).text).toBe(findings.find((f) => f.kind === 'blocked')!.text);
    expect((blocked.args as { calledFrom: string }).calledFrom).toBe('handler() at app/app.py:50 ← run_forever() at asyncio/base_events.py:607 ← <module>() at app/app.py:60');
    // The blocked stretch lies inside the waiting phase's finding: a second lane.
    const lanes = events.filter((e) => e.ph === 'M' && e.pid === PHASES_PID && e.name === 'thread_name').map((e) => (e.args as { name: string }).name);
    expect(lanes).toEqual(['phases', 'which code (findings)', 'which code, lane 2']);
    const interleaved = events.find((e) => e.name === 'phase: interleaved')!;
    expect((interleaved.args as { code: string }).code).toMatch(/^thread worker-1 \(pid 100\) ran count\(\) at app\/work\.py:1[23]/);
  });

  it('ends a thread\'s sample after one interval across a gap, and drops slices under a microsecond', () => {
    const rec = withStacks((b) => {
      for (const t of [0, 10, 20, 500, 510]) b.add({ t, pid: PID, tid: 101, frames: [fr('worker', 20), fr('count', 12)], cpuMs: 10 });
      // Two samples of one thread at one instant: the first lasts no time at all.
      b.add({ t: 600, pid: PID, tid: 102, frames: [fr('a', 1)], cpuMs: 10 });
      b.add({ t: 600, pid: PID, tid: 102, frames: [fr('b', 1)], cpuMs: 10 });
    });
    const ev = runToTrace(rec).traceEvents;
    expect(codeSlices(ev, 'worker-1').map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['worker() at app/app.py:20', 0, 30_000],
      ['count() at app/app.py:12', 0, 30_000],
      ['worker() at app/app.py:20', 500_000, 20_000],
      ['count() at app/app.py:12', 500_000, 20_000],
    ]);
    expect(codeSlices(ev, 'worker-2').map((e) => [e.name, e.ts, e.dur])).toEqual([['b() at app/app.py:1', 600_000, 10_000]]);
    expect(nestingProblems(ev)).toEqual([]);
  });

  it('tells apart two frames that would read the same', () => {
    const rec = withStacks((b) => {
      b.add({ t: 0, pid: PID, tid: 101, frames: [fr('f', 1, '/a/pkg/m.py')], cpuMs: 10 });
      b.add({ t: 10, pid: PID, tid: 101, frames: [fr('f', 1, '/b/pkg/m.py')], cpuMs: 10 });
    });
    const names = codeSlices(runToTrace(rec).traceEvents, 'worker-1').map((e) => e.name);
    expect(names).toEqual(['f() at pkg/m.py:1 [frame 0]', 'f() at pkg/m.py:1 [frame 1]']);
  });

  it('caps the stack slices: every flame chart stops at one instant, still nested, and the file says when', () => {
    // A cap that the slices begun before 0.6 s fit in, and the next sample's do not.
    const cap = events.filter((e) => e.cat === 'stack' && e.ts < 600_000).length;
    const capped = runToTrace(record, { maxStackSlices: cap });
    const stack = capped.traceEvents.filter((e) => e.cat === 'stack');
    expect(stack.length).toBe(cap);
    expect(nestingProblems(capped.traceEvents)).toEqual([]);
    expect(Math.max(...stack.map((e) => e.ts + e.dur!))).toBe(601_000);
    expect(capped.otherData.stacks).toMatch(new RegExp(`cut at 0\\.60 s: a trace holds at most ${cap} stack slices`));
    // The uncapped file is far below the real cap.
    expect(events.filter((e) => e.cat === 'stack').length).toBeLessThan(100);
  });

  it('a run without stack samples gets no code track, sort index or note', () => {
    const rec = { ...record, stacks: undefined, result: { ...record.result, findings: undefined } };
    const ev = runToTrace(rec);
    expect(ev.traceEvents.some((e) => e.tid >= CODE_TID_MIN || e.name === 'thread_sort_index' || e.cat === 'finding')).toBe(false);
    expect(ev.otherData.stacks).toBeUndefined();
  });
});

describe('HTML report: which code', () => {
  const record = stackRecord();
  const section = whichCodeSection(record);

  it('shows each phase\'s code line under its evidence', () => {
    const table = phaseTable(record.result.phases!);
    expect(table).toMatch(/<div class="code-line" data-code>which code: thread worker-1 \(pid 100\) ran count\(\) at app\/work\.py:1[23]/);
    expect(table).toMatch(/which code: 2 tasks waited in sleep\(\) at asyncio\/tasks\.py:640/);
  });

  it('lists the findings, blocked loops first', () => {
    const rows = [...section.matchAll(/<tr data-finding="(\w+)">/g)].map((m) => m[1]);
    expect(rows).toEqual(['blocked', 'hot', 'gil', 'waiting']);
    expect(section).toContain('the event loop (pid 100) was blocked 120 ms in crunch() at app/app.py:55');
  });

  it('blocked loops longest first, each list capped with the rest counted', () => {
    const f = (fromMs: number, toMs: number): Finding => ({ ...record.result.findings!.find((x) => x.kind === 'blocked')!, fromMs, toMs, text: `blocked ${toMs - fromMs} ms` });
    const many = Array.from({ length: MAX_FINDINGS_SHOWN + 3 }, (_, k) => f(k * 1000, k * 1000 + 100 + k));
    const html = findingsTable(many);
    const shown = [...html.matchAll(/<td>blocked (\d+) ms<\/td>/g)].map((m) => Number(m[1]));
    expect(shown).toHaveLength(MAX_FINDINGS_SHOWN);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(shown[0]).toBe(100 + MAX_FINDINGS_SHOWN + 2);
    expect(html).toContain('3 more blocks of the event loop, the longest 102 ms');
  });

  it('groups the flagged windows by reason with their code lines', () => {
    expect(section).toMatch(/<section data-window-group="gil-or-lock"><p><strong>GIL or lock contention<\/strong> — 3 of 5 windows; which code:/);
    expect(section).toMatch(/<section data-window-group="io-wait"><p><strong>Waiting<\/strong> — 1 of 5 windows/);
  });

  it('ranks the top stacks of a GIL phase by CPU, innermost frame first with its callers', () => {
    const top = topStacks(record.stacks!, record.samples, [record.result.phases![1]], 'cpu');
    // Exactly one thread ran at each tick: 80 ticks of 10 ms, half of them on each line of count().
    expect(top.totalMs).toBe(800);
    expect(top.rows.map((r) => [r.frames[0].line, r.ms, r.threads])).toEqual(
      expect.arrayContaining([
        [12, 400, ['worker-1', 'worker-2']],
        [13, 400, ['worker-1', 'worker-2']],
      ]),
    );
    // The waiting main thread used no CPU: it is no row.
    expect(top.rows).toHaveLength(2);
    expect(top.rows[0].frames.map((f) => f.name)).toEqual(['count', 'worker', 'run', '_bootstrap_inner']);
    const phase2 = /<section data-phase-stacks="2">[\s\S]*?<\/section>/.exec(section)![0];
    expect(phase2).toContain('<code>count() at app/work.py:12</code><br><span class="callers">← <code>worker() at app/app.py:20</code></span>');
    expect(phase2).toMatch(/<td class="num">400 ms<\/td><td class="num">50 %<\/td><td class="num">80<\/td><td>worker-1, worker-2<\/td>/);
  });

  it('ranks a waiting phase by time spent waiting: the tasks\' await, then where the loop idled', () => {
    const top = topStacks(record.stacks!, record.samples, [record.result.phases![2]], 'wait');
    expect(top.rows.map((r) => [r.frames[0].name, r.ms, r.samples, r.threads])).toEqual([
      ['sleep', 400, 40, ['asyncio task']],
      ['select', 80, 8, ['MainThread']],
    ]);
    expect(section).toMatch(/<section data-phase-stacks="3">[\s\S]*?<th>time waiting<\/th>/);
    // Start-up is not a flagged phase.
    expect(section).not.toContain('data-phase-stacks="1"');
  });

  it('is absent for a run without stack samples or findings', () => {
    const plain = { ...record, stacks: undefined, result: { ...record.result, findings: undefined, phases: record.result.phases!.map(({ code: _c, ...p }) => p), windows: record.result.windows.map(({ code: _c, ...w }) => w) } };
    expect(whichCodeSection(plain)).toBe('');
  });

  it('escapes function names and files from the program', () => {
    const hostile = stackRecord({ hostile: true });
    const html = runReportHtml(hostile);
    expect(html).toContain('<code>&lt;script&gt;alert(&quot;count&quot;)&lt;/script&gt;() at &lt;img src=x onerror=alert(1)&gt;/&lt;script&gt;evil.py:12</code>');
    expect(html).not.toMatch(/<script|<img/i);
    // The code lines in the phase table and the findings went through the same escaping.
    expect(html).toMatch(/which code: thread worker-1 \(pid 100\) ran &lt;script&gt;/);
  });

  it('sits in the run\'s section of the report', () => {
    const html = runReportHtml(record);
    expect(html).toContain('<section data-which-code><h3>Which code</h3>');
    expect(html).toContain('280 thread stack samples and 40 of suspended asyncio tasks at 100 Hz from 1 Python process(es).');
  });
});
