// The bounded stdout/stderr capture.
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTPUT_CAP_BYTES, OutputCapture } from '../../src/engine/run/outputCapture';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('OutputCapture', () => {
  it('keeps everything under the cap, untruncated', () => {
    const c = new OutputCapture(10);
    c.push(b('hello'));
    c.push(b(' you'));
    expect(c.truncated).toBe(false);
    expect(c.droppedBytes).toBe(0);
    expect(c.text()).toBe('hello you');
  });

  it('keeps exactly the cap with no notice when output fills it to the byte', () => {
    const c = new OutputCapture(10);
    c.push(b('0123456789'));
    expect(c.truncated).toBe(false);
    expect(c.text()).toBe('0123456789');
  });

  it('cuts a chunk that crosses the cap, counts the rest exactly, and says so', () => {
    const c = new OutputCapture(10);
    c.push(b('01234567'));
    c.push(b('89abcdef'));
    expect(c.droppedBytes).toBe(6);
    expect(c.truncated).toBe(true);
    c.push(b('more'));
    c.push(Buffer.alloc(0));
    expect(c.droppedBytes).toBe(10);
    expect(c.text()).toBe('0123456789\n[corescope: output truncated after 10 bytes; 10 more bytes dropped]\n');
  });

  it('drops everything with a cap of 0', () => {
    const c = new OutputCapture(0);
    c.push(b('abc'));
    expect(c.droppedBytes).toBe(3);
    expect(c.text()).toBe('\n[corescope: output truncated after 0 bytes; 3 more bytes dropped]\n');
  });

  it('defaults to a 4 MiB cap and drops 1 MiB of a 5 MiB flood exactly', () => {
    expect(OUTPUT_CAP_BYTES).toBe(4 * 1024 * 1024);
    const c = new OutputCapture();
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    for (let i = 0; i < 80; i++) c.push(chunk);
    expect(c.droppedBytes).toBe(1024 * 1024);
    const text = c.text();
    expect(text.startsWith('x'.repeat(OUTPUT_CAP_BYTES))).toBe(true);
    expect(text.slice(OUTPUT_CAP_BYTES)).toBe(`\n[corescope: output truncated after ${OUTPUT_CAP_BYTES} bytes; ${1024 * 1024} more bytes dropped]\n`);
  });

  it('reads a stream through attach(), and ignores a null stream', async () => {
    const c = new OutputCapture(6);
    c.attach(null);
    const s = new PassThrough();
    c.attach(s);
    s.write(b('abc'));
    s.end(b('defgh'));
    await new Promise((resolve) => s.on('end', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(c.droppedBytes).toBe(2);
    expect(c.text().startsWith('abcdef\n[corescope: output truncated after 6 bytes; 2 more bytes dropped]')).toBe(true);
  });

  it('property: kept + dropped = bytes pushed, kept never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 20 }), fc.nat({ max: 200 }), (chunks, cap) => {
        const c = new OutputCapture(cap);
        for (const ch of chunks) c.push(Buffer.from(ch));
        const total = chunks.reduce((s, ch) => s + ch.length, 0);
        const kept = Math.min(cap, total);
        expect(c.droppedBytes).toBe(total - kept);
        expect(c.truncated).toBe(total > cap);
        // ASCII-safe check of the kept part: the first `kept` bytes, in order.
        const expectedBody = Buffer.concat(chunks.map((ch) => Buffer.from(ch))).subarray(0, kept).toString('utf8');
        expect(c.text().startsWith(expectedBody)).toBe(true);
      }),
    );
  });
});
