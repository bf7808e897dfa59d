// The contract written once (issue 19, step 3) and the engine-owned session (step 5): the method
// table drives the dispatcher and every client; bytes travel as binary frames (never base64),
// only for the method that carries them; the engine builds a sweep from run ids it holds.
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngine } from '../../src/engine/engine';
import { CurrentSession } from '../../src/engine/session/currentSession';
import { startServer, type ServeHandle } from '../../src/cli/serve';
import { API_CALL_NAMES, apiOverCall, returnsFile, sendsBytes } from '../../src/shared/apiOverCall';
import { apiCallArgs } from '../../src/shared/schemas';
import { decodeBinaryFrame, decodeServerMessage, encodeBinaryFrame, encodeCall, encodeServerMessage, parseBinaryCall } from '../../src/shared/wire';
import type { RunRecord } from '../../src/shared/types';

const ROOT = join(__dirname, '..', '..');

describe('one method table', () => {
  it('the dispatcher, the clients and the byte/file rules all come from it', async () => {
    expect(Object.keys(apiCallArgs)).toEqual(API_CALL_NAMES);
    expect(API_CALL_NAMES.filter(sendsBytes)).toEqual(['uploadPart']);
    expect(API_CALL_NAMES.filter(returnsFile)).toEqual(['exportSession', 'exportComparison', 'exportMachineSession']);
    const calls: unknown[][] = [];
    const api = apiOverCall(async (method, ...args) => void calls.push([method, ...args]));
    expect(Object.keys(api)).toEqual(API_CALL_NAMES);
    await api.exportSession('csv');
    await api.exportSession('csv', 'r1');
    // An optional argument not given is left off (JSON would turn undefined into null).
    expect(calls).toEqual([['exportSession', 'csv'], ['exportSession', 'csv', 'r1']]);
  });
});

describe('wire frames', () => {
  it('a call with bytes is one binary frame; the bytes come back as its last argument, unchanged', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
    const frame = encodeCall({ id: 7, method: 'uploadPart', args: ['u1', 0, bytes] }, true);
    expect(frame).toBeInstanceOf(Uint8Array);
    const parsed = parseBinaryCall(frame as Uint8Array);
    expect(parsed.ok && parsed.call.id).toBe(7);
    const args = parsed.ok ? parsed.call.args : [];
    expect(args.slice(0, 2)).toEqual(['u1', 0]);
    expect([...(args[2] as Uint8Array)]).toEqual([...bytes]);
    expect(typeof encodeCall({ id: 1, method: 'info', args: [] }, false)).toBe('string');
  });

  it('a reply holding a file’s bytes is one binary frame; text replies stay JSON', () => {
    const data = Uint8Array.from([1, 2, 3, 0, 255]);
    const frame = encodeServerMessage({ id: 3, ok: true, result: { name: 'x.gz', mime: 'application/gzip', data } });
    expect(frame).toBeInstanceOf(Uint8Array);
    const back = decodeServerMessage(frame as Uint8Array);
    expect(back).toMatchObject({ id: 3, ok: true, result: { name: 'x.gz', mime: 'application/gzip' } });
    expect([...((back?.result as { data: Uint8Array }).data)]).toEqual([...data]);
    expect(typeof encodeServerMessage({ id: 4, ok: true, result: { name: 'a.csv', mime: 'text/csv', data: 'a,b' } })).toBe('string');
  });

  it('a frame that lies about its header, or holds no JSON, is refused in words', () => {
    const bad = encodeBinaryFrame({ id: 1 }, new Uint8Array(0));
    new DataView(bad.buffer).setUint32(0, 1e6);
    expect(decodeBinaryFrame(bad)).toMatchObject({ ok: false, why: expect.stringMatching(/said to be 1000000 bytes/) });
    expect(decodeBinaryFrame(Uint8Array.from([0, 0, 0, 2, 0xff, 0xfe]))).toMatchObject({ ok: false, why: expect.stringMatching(/not valid UTF-8 JSON/) });
    expect(parseBinaryCall(Uint8Array.from([1]))).toMatchObject({ ok: false, id: null, error: { code: 'bad-input' } });
  });
});

describe('serve takes bytes only for uploadPart, as a binary frame', () => {
  const engine = createEngine();
  let server: ServeHandle;
  beforeAll(async () => {
    server = await startServer({ engine, host: '127.0.0.1', rendererDir: join(ROOT, 'out', 'renderer') });
  });
  afterAll(async () => {
    await server?.close();
    await engine.dispose();
  });

  async function connect(): Promise<{ ws: WebSocket; reply: () => Promise<Record<string, unknown>> }> {
    const origin = new URL(server.url).origin;
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/api?token=${server.token}`, { headers: { Origin: origin } });
    const queue: Record<string, unknown>[] = [];
    const waiters: ((m: Record<string, unknown>) => void)[] = [];
    ws.on('message', (data, isBinary) => {
      const msg = decodeServerMessage(isBinary ? (data as Buffer) : data.toString()) as Record<string, unknown>;
      if ('event' in msg) return;
      const w = waiters.shift();
      if (w) w(msg);
      else queue.push(msg);
    });
    await new Promise((r) => ws.once('open', r));
    return { ws, reply: () => new Promise((resolve) => (queue.length ? resolve(queue.shift()!) : waiters.push(resolve))) };
  }

  it('uploads a gzip session in binary parts and loads it; JSON-text uploads and binary for other methods are refused', async () => {
    const c = await connect();
    const session = { format: 'corescope.session/1', createdAt: new Date().toISOString(), corescopeVersion: '0.1.0', hardware: (await engine.info()).hardware, runtimes: [], runs: [] };
    const gz = gzipSync(JSON.stringify(session));
    const half = Math.ceil(gz.length / 2);
    c.ws.send(encodeCall({ id: 1, method: 'uploadPart', args: ['up1', 0, gz.subarray(0, half)] }, true));
    expect(await c.reply()).toEqual({ id: 1, ok: true, result: { bytes: half } });
    c.ws.send(encodeCall({ id: 2, method: 'uploadPart', args: ['up1', 1, gz.subarray(half)] }, true));
    expect(await c.reply()).toEqual({ id: 2, ok: true, result: { bytes: gz.length } });
    c.ws.send(JSON.stringify({ id: 3, method: 'loadSession', args: ['up1', 'mine.session.json.gz'] }));
    expect(await c.reply()).toMatchObject({ id: 3, ok: true, result: { format: 'corescope.session/1', runs: [] } });
    c.ws.send(JSON.stringify({ id: 4, method: 'uploadPart', args: ['up2', 0, 'AAAA'] }));
    expect(await c.reply()).toMatchObject({ id: 4, ok: false, error: { code: 'bad-input', message: expect.stringMatching(/binary message/) } });
    c.ws.send(encodeBinaryFrame({ id: 5, method: 'listScenarios', args: [] }, new Uint8Array(4)));
    expect(await c.reply()).toMatchObject({ id: 5, ok: false, error: { code: 'bad-input', message: expect.stringMatching(/only for uploadPart/) } });
    c.ws.close();
  });
});

describe('the engine’s current session', () => {
  const rec = (runId: string, tasks: number, wallMs: number) =>
    ({
      result: {
        runId,
        scenario: 'py-threads-cpu',
        params: { argv: ['/usr/bin/python3'], rateHz: 20, timeoutS: 60, scenario: { id: 'py-threads-cpu', params: { tasks } } },
        wallMs,
        cpu: { userMs: wallMs, systemMs: 0, totalMs: wallMs },
        parallelism: 1,
        exit: { code: 0, signal: null, reason: 'exited' },
      },
    }) as unknown as RunRecord;

  it('builds a sweep from run ids it holds, refuses one it does not, and merges a saved session without doubles', () => {
    const s = new CurrentSession();
    s.addRun(rec('a', 1, 1000));
    s.addRun(rec('b', 2, 1000));
    s.addRun(rec('a', 1, 1000));
    const ref = { scenario: 'py-threads-cpu', params: {}, taskCounts: [1, 2], repeat: 1, runs: [{ runId: 'a', tasks: 1, repeat: 1 }, { runId: 'b', tasks: 2, repeat: 1 }], complete: true };
    const sweep = s.addSweep(ref, 2);
    expect(sweep.points.find((p) => p.tasks === 2)?.speedup?.mean).toBeCloseTo(2, 5);
    expect(() => s.addSweep({ ...ref, runs: [{ runId: 'gone', tasks: 1, repeat: 1 }] }, 2)).toThrow(expect.objectContaining({ field: 'runs.0.runId' }));
    s.merge({ runs: [rec('old', 1, 10), rec('a', 1, 1000)], sweeps: [sweep] });
    expect(s.records.map((r) => r.result.runId)).toEqual(['old', 'a', 'b']);
    expect(s.sweepResults).toHaveLength(1);
  });
});
