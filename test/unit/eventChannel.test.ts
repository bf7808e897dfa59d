// The workload event channel (fd 3, JSON lines) and the bounded line splitter under it.
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventChannel, MAX_EVENTS, MAX_EVENT_LINE_BYTES } from '../../src/engine/run/eventChannel';
import { LineSplitter } from '../../src/engine/run/lineSplitter';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

function channel(): { ch: EventChannel; clock: { t: number } } {
  const clock = { t: 0 };
  return { ch: new EventChannel(() => clock.t), clock };
}

/** The splitter's private buffer, to check an overlong line is not being kept. */
interface SplitterInternals {
  parts: Buffer[];
  size: number;
  overflowing: boolean;
}
const internals = (ch: EventChannel): SplitterInternals => (ch as unknown as { splitter: SplitterInternals }).splitter;

describe('EventChannel: valid lines', () => {
  it('turns each kind of line into an event stamped with the injected clock', () => {
    const { ch, clock } = channel();
    clock.t = 12.5;
    ch.push(b('{"ev":"task-start","task":"a","pid":10,"tid":11}\n'));
    clock.t = 20;
    ch.push(b('{"ev":"task-end","task":7,"pid":10}\n'));
    clock.t = 31;
    ch.push(b('{"ev":"lag","lagMs":42.5,"pid":10,"tid":10}\n'));
    clock.t = 40;
    ch.push(b('{"ev":"metric","name":"req/s","value":1234.5,"unit":"1/s","pid":10}\n{"ev":"metric","name":"n","value":-3}\n'));
    expect(ch.events).toEqual([
      { t: 12.5, kind: 'task-start', task: 'a', pid: 10, tid: 11 },
      // a numeric task id becomes a string
      { t: 20, kind: 'task-end', task: '7', pid: 10 },
      { t: 31, kind: 'lag', lagMs: 42.5, pid: 10, tid: 10 },
      { t: 40, kind: 'metric', name: 'req/s', value: 1234.5, unit: '1/s', pid: 10 },
      { t: 40, kind: 'metric', name: 'n', value: -3 },
    ]);
    expect(ch.events[1]).not.toHaveProperty('tid', expect.anything());
    expect(ch.rejected).toBe(0);
    expect(ch.warnings()).toEqual([]);
  });

  it('stamps a line split across chunks when its newline arrives', () => {
    const { ch, clock } = channel();
    clock.t = 1;
    ch.push(b('{"ev":"lag",'));
    clock.t = 2;
    ch.push(b('"lagMs":'));
    expect(ch.events).toHaveLength(0);
    clock.t = 3;
    ch.push(b('5}\n{"ev":"task-start","task":"x"}'));
    expect(ch.events).toEqual([{ t: 3, kind: 'lag', lagMs: 5 }]);
    clock.t = 4;
    ch.end();
    expect(ch.events[1]).toEqual({ t: 4, kind: 'task-start', task: 'x' });
  });

  it('reassembles a multi-byte UTF-8 character split between chunks', () => {
    const { ch } = channel();
    const line = b('{"ev":"metric","name":"débit €","value":1}\n');
    const cut = line.indexOf(0xe2) + 1; // inside the 3-byte euro sign
    ch.push(line.subarray(0, cut));
    ch.push(line.subarray(cut));
    expect(ch.events).toEqual([{ t: 0, kind: 'metric', name: 'débit €', value: 1 }]);
  });

  it('accepts CRLF line endings and ignores blank lines', () => {
    const { ch } = channel();
    ch.push(b('{"ev":"lag","lagMs":1}\r\n\r\n   \n\n{"ev":"lag","lagMs":2}\r\n'));
    expect(ch.events.map((e) => (e.kind === 'lag' ? e.lagMs : null))).toEqual([1, 2]);
    expect(ch.rejected).toBe(0);
  });

  it('reads a stream through attach() until it ends', async () => {
    const { ch } = channel();
    const s = new PassThrough();
    ch.attach(s);
    s.write(b('{"ev":"task-start","task":"t1"}\n{"ev":"task-'));
    s.write(b('end","task":"t1"}'));
    s.end();
    await new Promise((resolve) => s.on('end', resolve));
    expect(ch.events.map((e) => e.kind)).toEqual(['task-start', 'task-end']);
  });
});

describe('EventChannel: rejected lines', () => {
  const cases: [string, string, string][] = [
    ['malformed JSON', '{"ev":"lag",', 'not JSON: "{\\"ev\\":\\"lag\\","'],
    ['a missing field', '{"ev":"lag"}', 'lagMs: Invalid input: expected number, received undefined'],
    ['an unknown kind', '{"ev":"nope"}', 'ev: Invalid discriminator value'],
    ['no kind at all', '{"task":"a"}', 'ev: Invalid discriminator value'],
    ['a wrong type (boolean task)', '{"ev":"task-start","task":true}', 'task: Invalid input'],
    ['a wrong type (string value)', '{"ev":"metric","name":"x","value":"1"}', 'value: Invalid input: expected number, received string'],
    ['a negative pid', '{"ev":"task-start","task":"a","pid":-1}', 'pid: Too small'],
    ['a fractional tid', '{"ev":"lag","lagMs":1,"tid":1.5}', 'tid: Invalid input: expected int'],
    ['an empty task id', '{"ev":"task-end","task":""}', 'task: Too small'],
    ['a lag over an hour', '{"ev":"lag","lagMs":4000000}', 'lagMs: Too big: expected number to be <=3600000'],
    ['a negative lag', '{"ev":"lag","lagMs":-1}', 'lagMs: Too small'],
    ['an infinite metric', '{"ev":"metric","name":"x","value":1e400}', 'value: Invalid input: expected number, received Infinity'],
    ['an array', '[1,2]', 'line: Invalid input: expected object, received array'],
    ['null', 'null', 'line: Invalid input: expected object, received null'],
    ['a bare number', '42', 'line: Invalid input: expected object, received number'],
  ];

  for (const [what, line, why] of cases) {
    it(`counts ${what} and names it in warnings()`, () => {
      const { ch } = channel();
      ch.push(b(`${line}\n{"ev":"lag","lagMs":3}\n`));
      expect(ch.rejected).toBe(1);
      expect(ch.events).toHaveLength(1);
      const w = ch.warnings();
      expect(w).toHaveLength(1);
      expect(w[0]).toContain('1 malformed event line(s) ignored; first: ');
      expect(w[0]).toContain(why);
    });
  }

  it('names the first rejection, counts them all, and keeps going', () => {
    const { ch } = channel();
    ch.push(b('oops-first\n{"ev":"lag","lagMs":1}\n{"ev":"nope"}\nsecond bad line\n{"ev":"lag","lagMs":2}\n'));
    expect(ch.rejected).toBe(3);
    expect(ch.events).toHaveLength(2);
    expect(ch.warnings()).toEqual(['3 malformed event line(s) ignored; first: not JSON: "oops-first"']);
  });

  it('quotes at most 60 characters of a rejected line', () => {
    const { ch } = channel();
    const long = `x${'y'.repeat(200)}`;
    ch.push(b(`${long}\n`));
    expect(ch.warnings()[0]).toBe(`1 malformed event line(s) ignored; first: not JSON: ${JSON.stringify(long.slice(0, 60))}`);
  });

  it('counts binary garbage without throwing', () => {
    const { ch } = channel();
    const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7b, 0x22, 0xc3, 0x28, 0x0d, 0x01]);
    expect(() => {
      ch.push(garbage);
      ch.push(Buffer.from([0x0a]));
      ch.push(garbage);
      ch.end();
    }).not.toThrow();
    expect(ch.rejected).toBe(2);
    expect(ch.events).toHaveLength(0);
    expect(ch.warnings()[0]).toMatch(/^2 malformed event line\(s\) ignored; first: not JSON: /);
  });

  it('drops a 10 MB line without keeping it, counts it, and reads the next line', () => {
    const { ch } = channel();
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const total = 10 * 1024 * 1024;
    for (let sent = 0; sent < total; sent += piece.length) {
      ch.push(piece);
      // Memory is bounded: once past the limit the splitter holds nothing of the line.
      if (sent + piece.length > MAX_EVENT_LINE_BYTES) {
        expect(internals(ch).size).toBe(0);
        expect(internals(ch).parts).toHaveLength(0);
        expect(internals(ch).overflowing).toBe(true);
      }
    }
    ch.push(b('\n{"ev":"lag","lagMs":7}\n'));
    expect(ch.rejected).toBe(1);
    expect(ch.events).toEqual([{ t: 0, kind: 'lag', lagMs: 7 }]);
    expect(ch.warnings()).toEqual([`1 malformed event line(s) ignored; first: a line of ${total} bytes exceeds the ${MAX_EVENT_LINE_BYTES}-byte limit`]);
    expect(internals(ch).overflowing).toBe(false);
  });

  it('drops a 10 MB line pushed as one chunk, even without a final newline', () => {
    const { ch } = channel();
    ch.push(Buffer.alloc(10 * 1024 * 1024, 0x7b));
    expect(internals(ch).size).toBe(0);
    ch.end();
    expect(ch.rejected).toBe(1);
    expect(ch.warnings()[0]).toContain(`a line of ${10 * 1024 * 1024} bytes exceeds`);
  });

  it('stores at most MAX_EVENTS events and counts the rest', () => {
    const { ch } = channel();
    ch.push(b('not json\n'));
    ch.push(b('{"ev":"lag","lagMs":1}\n'.repeat(MAX_EVENTS + 5)));
    expect(ch.events).toHaveLength(MAX_EVENTS);
    expect(ch.dropped).toBe(5);
    expect(ch.rejected).toBe(1);
    expect(ch.warnings()).toEqual([
      '1 malformed event line(s) ignored; first: not JSON: "not json"',
      `5 event(s) beyond the ${MAX_EVENTS}-event cap were not stored`,
    ]);
  });
});

describe('LineSplitter', () => {
  function split(max: number, chunks: Buffer[], end = true): { lines: string[]; overflows: number[] } {
    const lines: string[] = [];
    const overflows: number[] = [];
    const s = new LineSplitter(max, (l) => lines.push(l), (n) => overflows.push(n));
    for (const c of chunks) s.push(c);
    if (end) s.end();
    return { lines, overflows };
  }

  it('allows a line of exactly the limit and rejects one byte more, reporting its exact size', () => {
    expect(split(5, [b('12345\n123456\n')])).toEqual({ lines: ['12345'], overflows: [6] });
    expect(split(5, [b('123'), b('45'), b('\n')])).toEqual({ lines: ['12345'], overflows: [] });
    expect(split(5, [b('123'), b('456'), b('789\nok\n')])).toEqual({ lines: ['ok'], overflows: [9] });
  });

  it('skips empty lines and flushes an unterminated last line only at end()', () => {
    expect(split(10, [b('\n\na\n\nb')], false)).toEqual({ lines: ['a'], overflows: [] });
    expect(split(10, [b('\n\na\n\nb')])).toEqual({ lines: ['a', 'b'], overflows: [] });
  });

  it('reports an overlong unterminated line at end()', () => {
    expect(split(4, [b('abcdefgh')])).toEqual({ lines: [], overflows: [8] });
  });
});

describe('property tests', () => {
  /** Count of lines a correct splitter must report (lines or overflows), from the whole byte string. */
  function expectedLines(all: Buffer, max: number, blankCounts: boolean): number {
    let n = 0;
    let start = 0;
    while (start <= all.length) {
      const nl = all.indexOf(10, start);
      const end = nl < 0 ? all.length : nl;
      const len = end - start;
      if (len > max) n++;
      else if (len > 0 && (blankCounts || all.subarray(start, end).toString('utf8').trim() !== '')) n++;
      if (nl < 0) break;
      start = nl + 1;
    }
    return n;
  }

  const chunks = fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 30 });

  it('LineSplitter: any chunking of any bytes gives the same lines, each within the limit', () => {
    fc.assert(
      fc.property(chunks, fc.integer({ min: 1, max: 24 }), (parts, max) => {
        const lines: string[] = [];
        const overflow: number[] = [];
        const s = new LineSplitter(max, (l) => lines.push(l), (n) => overflow.push(n));
        for (const p of parts) s.push(Buffer.from(p));
        s.end();
        const all = Buffer.concat(parts.map((p) => Buffer.from(p)));
        expect(lines.length + overflow.length).toBe(expectedLines(all, max, true));
        // Each input byte decodes to at most one UTF-16 unit, so a line's length bounds its bytes from below.
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(max);
        for (const o of overflow) expect(o).toBeGreaterThan(max);
        // The same bytes in one chunk give the same result.
        const one: string[] = [];
        const oneOverflow: number[] = [];
        const s1 = new LineSplitter(max, (l) => one.push(l), (n) => oneOverflow.push(n));
        s1.push(all);
        s1.end();
        expect(lines).toEqual(one);
        expect(overflow).toEqual(oneOverflow);
      }),
    );
  });

  it('EventChannel: arbitrary byte chunks never throw, and every non-blank line is accepted or rejected', () => {
    fc.assert(
      fc.property(chunks, (parts) => {
        const ch = new EventChannel(() => 1);
        expect(() => {
          for (const p of parts) ch.push(Buffer.from(p));
          ch.end();
        }).not.toThrow();
        const all = Buffer.concat(parts.map((p) => Buffer.from(p)));
        expect(ch.events.length + ch.rejected + ch.dropped).toBe(expectedLines(all, MAX_EVENT_LINE_BYTES, false));
        expect(ch.warnings().length).toBe(ch.rejected > 0 ? 1 : 0);
        if (ch.rejected > 0) expect(ch.warnings()[0]).toMatch(new RegExp(`^${ch.rejected} malformed event line\\(s\\) ignored; first: `));
      }),
    );
  });

  it('EventChannel: valid and invalid lines, cut anywhere, are counted exactly', () => {
    const valid = fc.oneof(
      fc.record({ ev: fc.constantFrom('task-start', 'task-end'), task: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer()) }),
      fc.record({ ev: fc.constant('lag'), lagMs: fc.double({ min: 0, max: 3_600_000, noNaN: true }) }),
      fc.record({ ev: fc.constant('metric'), name: fc.string({ minLength: 1, maxLength: 20 }), value: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
    ).map((o) => ({ ok: true, text: JSON.stringify(o) }));
    const invalid = fc.string({ maxLength: 40 }).map((s) => ({ ok: false, text: `#${s.replace(/[\r\n]/g, ' ')}` }));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(valid, invalid), { maxLength: 40 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 10 }),
        (items, eol, cuts) => {
          const all = Buffer.from(items.map((i) => i.text + eol).join(''));
          const points = [...new Set(cuts.map((c) => (all.length ? c % all.length : 0)))].sort((x, y) => x - y);
          const ch = new EventChannel(() => 0);
          let from = 0;
          for (const p of [...points, all.length]) {
            ch.push(all.subarray(from, p));
            from = p;
          }
          ch.end();
          expect(ch.events.length).toBe(items.filter((i) => i.ok).length);
          expect(ch.rejected).toBe(items.filter((i) => !i.ok).length);
        },
      ),
    );
  });
});
