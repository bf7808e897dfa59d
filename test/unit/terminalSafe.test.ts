// The one escape for text shown on a terminal (issue 13): every control character a terminal
// would obey — C0, DEL, C1 with the 8-bit CSI, bidi overrides — comes out as a visible escape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson, terminalSafeLines } from '../../src/shared/terminalSafe';

// eslint-disable-next-line no-control-regex -- the test is about control characters
const ACTS_ON_A_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('escapes the attacks of issue 13 visibly', () => {
    expect(terminalSafe('\x1b[41mEVIL\x1b[0m')).toBe('\\x1b[41mEVIL\\x1b[0m');
    expect(terminalSafe('m\x1b]0;title\x07')).toBe('m\\x1b]0;title\\x07');
    expect(terminalSafe('a\x1b[2K\r fake verdict: PARALLEL')).toBe('a\\x1b[2K\\x0d fake verdict: PARALLEL');
    expect(terminalSafe('\x9b31m\x7f\x00\t\n')).toBe('\\x9b31m\\x7f\\x00\\x09\\x0a');
    expect(terminalSafe('abc\u202edcb')).toBe('abc\\u202edcb');
  });

  it('leaves ordinary text, including non-ASCII, alone', () => {
    for (const s of ['python3 -c "print(1)"', 'MainThread', 'Grüße — 東京 ✓ █·', '']) expect(terminalSafe(s)).toBe(s);
  });

  it('any string: nothing a terminal acts on survives, and the printable rest is kept in order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const out = terminalSafe(s);
        expect(out).not.toMatch(ACTS_ON_A_TERMINAL);
        const printable = [...s].filter((c) => !ACTS_ON_A_TERMINAL.test(c)).join('');
        expect(out.replace(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/g, '')).toBe(printable.replace(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/g, ''));
      }),
      { numRuns: 500 },
    );
  });

  it('terminalSafeLines keeps line breaks and nothing else', () => {
    expect(terminalSafeLines('one\r\ntwo\x1b[2K\nthree')).toBe('one\\x0d\ntwo\\x1b[2K\nthree');
  });

  it('terminalSafeJson: the same value back, with no DEL, C1 or bidi character raw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 50 }), (v, s) => {
        const value = { v, s };
        const out = terminalSafeJson(value);
        expect(out).not.toMatch(ACTS_ON_A_TERMINAL);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
