// The native sampler's JavaScript parts that need no thread: the record decoder (against the
// layout of native/record_format.h), the jitter histogram, and the choice of sampler with its
// fallback (native absent or refused: the JavaScript sampler, saying why).
import { describe, expect, it } from 'vitest';
import { JitterStats } from '../../src/engine/sampler/jitterStats';
import { loadNativeAddon } from '../../src/engine/sampler/nativeAddon';
import { NativeRecords } from '../../src/engine/sampler/nativeRecords';
import { openSampleSource } from '../../src/engine/sampler/sampleSource';

/** One record as native/record_format.h lays it out. */
/** An entry's text; null: the file is gone; UNCHANGED: as at the slot's previous entry. */
const UNCHANGED = Symbol('unchanged');

function record(pass: number, tNs: number, deadlineNs: number, entries: [number, string | null | typeof UNCHANGED][]): Uint8Array {
  const body: Uint8Array[] = [];
  for (const [slot, text] of entries) {
    const head = new DataView(new ArrayBuffer(8));
    head.setUint32(0, slot, true);
    if (text === null || text === UNCHANGED) {
      head.setUint32(4, text === null ? 0xffffffff : 0xfffffffe, true);
      body.push(new Uint8Array(head.buffer));
      continue;
    }
    const bytes = new TextEncoder().encode(text);
    head.setUint32(4, bytes.length, true);
    const padded = new Uint8Array((bytes.length + 3) & ~3);
    padded.set(bytes);
    body.push(new Uint8Array(head.buffer), padded);
  }
  const bodyLength = body.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(32 + bodyLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, true);
  v.setUint32(4, pass, true);
  v.setFloat64(8, tNs, true);
  v.setFloat64(16, deadlineNs, true);
  v.setUint32(24, entries.length, true);
  let at = 32;
  for (const b of body) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function concat(...records: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out.buffer;
}

const text = (b: Uint8Array | null): string | null => (b ? new TextDecoder().decode(b) : null);

describe('NativeRecords', () => {
  it('walks records in order and tells which slots each one holds', () => {
    const r = new NativeRecords();
    r.reset(concat(record(7, 1_000_000, 900_000, [[0, 'cpu0 1 2'], [5, '10 20 3\n'], [300, null]]), record(8, 51_000_000, 50_900_000, [[5, '11 20 4\n']])));
    expect(r.next()).toBe(true);
    expect(r.current).toEqual({ pass: 7, tNs: 1_000_000, deadlineNs: 900_000 });
    expect(text(r.bytesOf(0))).toBe('cpu0 1 2');
    expect(r.has(5) && text(r.bytesOf(5))).toBe('10 20 3\n');
    // Found gone: held, but no bytes.
    expect(r.has(300)).toBe(true);
    expect(r.bytesOf(300)).toBeNull();
    expect(r.has(6)).toBe(false);
    expect(r.next()).toBe(true);
    expect(r.current.pass).toBe(8);
    expect(text(r.bytesOf(5))).toBe('11 20 4\n');
    // Not in this record, though it was in the previous one.
    expect(r.has(0)).toBe(false);
    expect(r.has(300)).toBe(false);
    expect(r.next()).toBe(false);
    expect(r.has(5)).toBe(false);
  });

  it('tells an unchanged entry (no bytes follow it) from one read, and reads on past it', () => {
    const r = new NativeRecords();
    r.reset(concat(record(1, 0, 0, [[5, '10 20 3\n'], [6, '7 8 9\n']]), record(2, 1, 1, [[5, UNCHANGED], [6, '7 9 10\n']])));
    expect(r.next()).toBe(true);
    expect(r.unchanged(5)).toBe(false);
    expect(r.next()).toBe(true);
    expect(r.has(5) && r.unchanged(5)).toBe(true);
    // The entry after it is where it should be.
    expect(r.unchanged(6)).toBe(false);
    expect(text(r.bytesOf(6))).toBe('7 9 10\n');
    expect(r.next()).toBe(false);
  });

  it('refuses a record whose length runs past the buffer', () => {
    const bytes = record(1, 0, 0, [[0, 'x']]);
    new DataView(bytes.buffer).setUint32(0, bytes.length + 100, true);
    const r = new NativeRecords();
    r.reset(bytes.buffer as ArrayBuffer);
    expect(() => r.next()).toThrow(/malformed/);
  });
});

describe('JitterStats', () => {
  it('gives p50, p99 and max at 10 µs resolution', () => {
    const j = new JitterStats();
    expect(j.summary()).toBeNull();
    for (let i = 0; i < 98; i++) j.add(0.05);
    j.add(0.5);
    j.add(7.3);
    j.add(-0.2); // early counts as on time
    const s = j.summary()!;
    expect(s.samples).toBe(101);
    expect(s.p50Ms).toBeCloseTo(0.06, 5);
    expect(s.p99Ms).toBeCloseTo(0.51, 5);
    expect(s.maxMs).toBe(7.3);
  });

  it('keeps lateness beyond its bins (100 ms) as the maximum', () => {
    const j = new JitterStats();
    j.add(250);
    expect(j.summary()).toEqual({ samples: 1, p50Ms: 250, p99Ms: 250, maxMs: 250 });
  });
});

describe('choosing the sampler', () => {
  it('runs the JavaScript sampler when told to, and says so', () => {
    expect(loadNativeAddon({ CORESCOPE_SAMPLER: 'js' })).toEqual({ addon: null, reason: 'CORESCOPE_SAMPLER=js' });
    const source = openSampleSource({ CORESCOPE_SAMPLER: 'js' });
    expect(source.kind).toBe('js');
    expect(source.note()).toMatch(/JavaScript sampler .*CORESCOPE_SAMPLER=js/);
  });

  it('is the default where it is built: no setting needed', () => {
    const source = openSampleSource({});
    try {
      // npm install builds it on Linux (python3, make, g++): never a silent fallback in tests.
      expect(source.kind, source.note()).toBe('native');
    } finally {
      source.close();
    }
  });

  it('falls back to the JavaScript sampler when the addon is absent', () => {
    const source = openSampleSource({ CORESCOPE_SAMPLER: 'native', CORESCOPE_SAMPLER_ADDON: '/nonexistent/corescope_sampler.node' });
    expect(source.kind).toBe('js');
    expect(source.note()).toMatch(/JavaScript sampler .*not found/);
    source.close();
  });

  it('falls back when the file is not a loadable addon', () => {
    const load = loadNativeAddon({ CORESCOPE_SAMPLER: 'native', CORESCOPE_SAMPLER_ADDON: '/proc/self/stat' });
    expect(load.addon).toBeNull();
    expect(load.addon === null && load.reason).toMatch(/could not load|not the sampler addon/);
  });
});
