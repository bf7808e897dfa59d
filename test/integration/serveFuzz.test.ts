// `corescope serve` under hostile bytes on its port (issue 13): raw TCP, not well-formed URLs —
// request lines, headers, path encodings, Upgrade requests with odd paths and tokens, and
// WebSocket frames after a proper authenticated upgrade. The server is the built CLI in its own
// process, so a crash is a dead process, not an error a test runner might swallow. A live run,
// started over the WebSocket before the fuzz, must come through it whole: exited by itself with
// code 0 and every line it printed recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineEvent } from '../../src/shared/api';
import type { RunRecord, RunResult } from '../../src/shared/types';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corescope.mjs');

/** How much fuzz each kind gets (fixed, so the figures in the README hold). */
const FUZZ = { httpBatches: 250, perBatch: 8, wsCases: 400 } as const;
/** How long one exchange may wait for the server to answer or hang up. */
const EXCHANGE_MS = 400;

let serve: ChildProcess;
let serveStderr = '';
let port = 0;
let token = '';
let origin = '';
let dir = '';
const requestsSent = { http: 0, ws: 0, killers: 0 };

beforeAll(async () => {
  for (const f of [join(ROOT, 'out', 'cli', 'index.js'), join(ROOT, 'out', 'renderer', 'index.html')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` (npm test does this first)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'corescope-servefuzz-'));
  serve = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stderr!.on('data', (d: Buffer) => (serveStderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`serve printed no URL: ${out} ${serveStderr}`)), 30_000);
    serve.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    serve.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL: ${serveStderr}`)));
  });
  const u = new URL(url);
  port = Number(u.port);
  token = u.searchParams.get('token')!;
  origin = u.origin;
});

afterAll(async () => {
  if (serve && serve.exitCode === null && serve.signalCode === null) {
    const gone = new Promise((r) => serve.once('exit', r));
    serve.kill('SIGTERM');
    await gone;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- raw TCP ----

type Ending = 'end' | 'reset' | 'hold';

/**
 * Opens a TCP connection, writes the chunks, then half-closes, resets, or just waits; resolves
 * with whatever came back once the server hangs up or EXCHANGE_MS pass.
 */
function exchange(chunks: Buffer[], ending: Ending, waitMs = EXCHANGE_MS): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const got: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(got).toString('latin1'));
    };
    const timer = setTimeout(finish, waitMs);
    s.on('data', (d: Buffer) => got.push(d));
    s.on('error', finish);
    s.on('close', finish);
    s.on('connect', () => {
      for (const c of chunks) s.write(c);
      if (ending === 'end') s.end();
      else if (ending === 'reset') setImmediate(() => !done && s.resetAndDestroy());
    });
  });
}

const crlf = (lines: string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
const hostLine = (): string => `Host: 127.0.0.1:${port}`;
const upgradeLines = (): string[] => ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13'];

function serveAlive(): boolean {
  return serve.exitCode === null && serve.signalCode === null;
}

/** A cheap round trip after each case, so a crash is pinned on the case that caused it. */
async function stillServing(what: () => string): Promise<void> {
  const answer = await exchange([crlf(['HEAD / HTTP/1.1', hostLine()])], 'end', 5_000);
  expect(serveAlive() && answer.startsWith('HTTP/1.1 200'), `serve died on ${what()}; stderr:\n${serveStderr}`).toBe(true);
}

/** The server still answers: GET / is the app's index.html. */
async function answersIndex(): Promise<void> {
  expect(serveAlive(), `serve died; stderr:\n${serveStderr}`).toBe(true);
  const res = await fetch(`${origin}/?token=${token}`);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe(readFileSync(join(ROOT, 'out', 'renderer', 'index.html'), 'utf8'));
}

// ---- WebSocket frames, built by hand ----

interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
  /** A length field that lies about the payload (64-bit form), or undefined for the true one. */
  claimedLength?: bigint;
}

function encodeFrame(f: Frame): Buffer {
  const head: number[] = [(f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 15)];
  const mask = f.masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (f.claimedLength !== undefined) {
    head.push(mask | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(f.claimedLength);
  } else if (f.payload.length < 126) head.push(mask | f.payload.length);
  else if (f.payload.length < 65536) {
    head.push(mask | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(f.payload.length);
  } else {
    head.push(mask | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(f.payload.length));
  }
  if (!f.masked) return Buffer.concat([Buffer.from(head), ext, f.payload]);
  const key = randomBytes(4);
  const body = Buffer.from(f.payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** An authenticated raw WebSocket: the handshake the page does, then the given bytes. */
async function rawWebSocket(after: Buffer[], ending: Ending): Promise<string> {
  const handshake = crlf([`GET /api?token=${token} HTTP/1.1`, hostLine(), `Origin: ${origin}`, ...upgradeLines()]);
  return exchange([handshake, ...after], ending);
}

// ---- the live run ----

interface Live {
  ws: WebSocket;
  runId: string;
  finished: Promise<RunResult>;
  call(method: string, args: unknown[]): Promise<Record<string, unknown>>;
}

async function startLiveRun(stopFile: string): Promise<Live> {
  const script = join(dir, 'ticker.py');
  // Prints a numbered line every 20 ms until the stop file appears, then exits 0: a run as long
  // as the fuzz, whose every line can be checked afterwards.
  writeFileSync(
    script,
    ['import os, sys, time', 'i = 0', `while not os.path.exists(${JSON.stringify(stopFile)}):`, '    print(f"tick {i}", flush=True)', '    i += 1', '    time.sleep(0.02)', 'print(f"done {i}", flush=True)'].join('\n'),
  );
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { headers: { Origin: origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pending = new Map<string, (m: Record<string, unknown>) => void>();
  const events: EngineEvent[] = [];
  const eventWaiters: ((e: EngineEvent) => void)[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as Record<string, unknown>;
    if ('event' in msg) {
      const e = msg.event as EngineEvent;
      events.push(e);
      for (const w of eventWaiters) w(e);
      return;
    }
    pending.get(String(msg.id))?.(msg);
  });
  let n = 0;
  const call = (method: string, args: unknown[]): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const id = `c${n++}`;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, args }));
    });
  const reply = await call('startRun', [{ kind: 'command', cmd: `python3 ${script}`, rateHz: 20 }]);
  expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true });
  const runId = (reply.result as { runId: string }).runId;
  const finished = new Promise<RunResult>((resolve, reject) => {
    const check = (e: EngineEvent): void => {
      if (e.type === 'run-finished' && e.runId === runId) resolve(e.result);
      if (e.type === 'run-failed' && e.runId === runId) reject(new Error(`the live run failed: ${e.error}`));
    };
    events.forEach(check);
    eventWaiters.push(check);
  });
  return { ws, runId, finished, call };
}

// ---- what is sent ----

/** Requests that killed serve before issue 13, and their relatives. */
function knownKillers(): { chunks: Buffer[]; ending: Ending }[] {
  const h = hostLine();
  const up = upgradeLines;
  const deep = `{"id":1,"method":"startRun","args":[${'['.repeat(300_000)}${']'.repeat(300_000)}]}`;
  const list: { chunks: Buffer[]; ending: Ending }[] = [];
  for (const target of ['/%', '/%ff', '/%E0%A4%A', '/%C0%AF', '/%00', '/%%', '/a%2', '//[', '//[/', 'http://[', '//[::1', '//:99999', '//a:b@[', '/%2e%2e/%2e%2e/etc/passwd', '*', '//']) {
    for (const ending of ['end', 'hold'] as const) {
      list.push({ chunks: [crlf([`GET ${target} HTTP/1.1`, h])], ending });
      list.push({ chunks: [crlf([`HEAD ${target} HTTP/1.0`, h])], ending });
      list.push({ chunks: [crlf([`GET ${target} HTTP/1.1`, h, `Origin: ${origin}`, ...up()])], ending });
      list.push({ chunks: [crlf([`GET ${target}?token=${token} HTTP/1.1`, h, `Origin: ${origin}`, ...up()])], ending });
    }
  }
  for (const target of ['/api?token=%', '/api?token=%ff', `/api?token=${token}%`, '/api?token=', '/api?token[]=x', `/api?token=${token}&token=x`, '/%/api', '/api/../api']) {
    list.push({ chunks: [crlf([`GET ${target} HTTP/1.1`, h, `Origin: ${origin}`, ...up()])], ending: 'end' });
  }
  // Refused upgrades where the client resets the connection as the refusal is written.
  for (const target of ['/nope', '/api', `/api?token=${token}`, '//[']) {
    for (let i = 0; i < 5; i++) list.push({ chunks: [crlf([`GET ${target} HTTP/1.1`, h, 'Origin: http://evil.example', ...up()])], ending: 'reset' });
  }
  // Parser-level refusals: header overflow, bad chunking, bare LF, NUL, pipelining after garbage.
  list.push({ chunks: [crlf(['GET / HTTP/1.1', h, `X-Big: ${'a'.repeat(100_000)}`])], ending: 'end' });
  list.push({ chunks: [crlf(['GET / HTTP/1.1', h, ...Array.from({ length: 3000 }, (_, i) => `X-${i}: y`)])], ending: 'end' });
  list.push({ chunks: [Buffer.from(`POST / HTTP/1.1\r\n${h}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`)], ending: 'end' });
  list.push({ chunks: [Buffer.from(`POST / HTTP/1.1\r\n${h}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde`)], ending: 'end' });
  list.push({ chunks: [Buffer.from(`GET / HTTP/1.1\n${h}\n\n`), Buffer.from('\0\0\0\r\n\r\n')], ending: 'end' });
  list.push({ chunks: [Buffer.from(`GET /\0 HTTP/1.1\r\n${h}\r\n\r\n`)], ending: 'end' });
  list.push({ chunks: [Buffer.from(`GET / HTTP/1.1\r\n${h}\r\n\r\nGET /% HTTP/1.1\r\n${h}\r\n\r\n`)], ending: 'end' });
  list.push({ chunks: [randomBytes(4096)], ending: 'reset' });
  list.push({ chunks: [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')], ending: 'end' });
  list.push({ chunks: [Buffer.from(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\n${h}\r\n\r\n`)], ending: 'end' });
  // After a proper upgrade: a message nested 300 000 deep (validation must not blow the stack),
  // a frame claiming 2^63 bytes, invalid UTF-8, an unmasked frame, a bad opcode.
  const ws = (frames: Frame[]) => ({ chunks: [crlf([`GET /api?token=${token} HTTP/1.1`, h, `Origin: ${origin}`, ...up()]), ...frames.map(encodeFrame)], ending: 'hold' as Ending });
  list.push(ws([{ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from(deep) }]));
  list.push(ws([{ fin: true, rsv: 0, opcode: 2, masked: true, payload: Buffer.alloc(8), claimedLength: 2n ** 63n - 1n }]));
  list.push(ws([{ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from([0xed, 0xa0, 0x80]) }]));
  list.push(ws([{ fin: true, rsv: 0, opcode: 1, masked: false, payload: Buffer.from('{}') }]));
  list.push(ws([{ fin: true, rsv: 0, opcode: 0xb, masked: true, payload: Buffer.from('x') }]));
  list.push(ws([{ fin: true, rsv: 0, opcode: 8, masked: true, payload: Buffer.from([0x03, 0xe8, 0xff, 0xfe]) }]));
  list.push(ws([{ fin: true, rsv: 0, opcode: 8, masked: true, payload: Buffer.from([0x00, 0x05]) }]));
  return list;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'get', 'G\0T', 'GET GET', ''];
const PIECES = ['/', '%', '%ff', '%E0%A4%A', '%2e%2e', '..', '//', '[', ']', '@', ':', '?', '#', '\\', '%00', '\0', ' ', '\t', '\x7f', '\xff', 'api', 'token=', 'index.html', 'assets', '%252e', ';', '*'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'http/1.1', '', 'HTTP/1.1 extra'];
const HEADER_NAMES = ['Host', 'Origin', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Extensions', 'Sec-WebSocket-Protocol', 'Content-Length', 'Transfer-Encoding', 'Expect', 'Cookie', 'X'];

const target = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((p) => p.join('')),
  fc.string({ maxLength: 40 }).map((s) => `/${s}`),
  fc.uint8Array({ maxLength: 30 }).map((a) => `/${Buffer.from(a).toString('latin1')}`),
  fc.constantFrom('/api', '//[', '/%', 'api'),
);
const tokenPart = fc.oneof(
  fc.constant(''),
  fc.constant('?token=<T>'),
  fc.constantFrom('?token=', '?token=%', '?token=%ff', '?token=<T>%', '?token=<T>x', '?token=<T>&token=<T>', '?token=<T>#'),
);
const headerValue = fc.oneof(
  fc.constantFrom('<HOST>', '<ORIGIN>', 'websocket', 'Upgrade', 'keep-alive, Upgrade', '13', '8', '-1', '0', '99999999999999999999', 'chunked', '100-continue', 'null', 'permessage-deflate; client_max_window_bits=99'),
  fc.string({ maxLength: 30 }),
  fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a).toString('latin1')),
  fc.constant('y'.repeat(20_000)),
);
const header = fc.tuple(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 12 })), headerValue);
const httpRequest = fc.record({
  method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 8 })),
  target,
  token: tokenPart,
  version: fc.constantFrom(...VERSIONS),
  withHost: fc.boolean(),
  upgrade: fc.boolean(),
  headers: fc.array(header, { maxLength: 6 }),
  eol: fc.constantFrom('\r\n', '\n', '\r'),
  body: fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a))),
  split: fc.nat({ max: 200 }),
  ending: fc.constantFrom<Ending>('end', 'reset', 'hold'),
});

type HttpRequest = typeof httpRequest extends fc.Arbitrary<infer R> ? R : never;

function renderRequest(r: HttpRequest): { chunks: Buffer[]; ending: Ending } {
  const fill = (s: string): string => s.replace(/<T>/g, token).replace(/<HOST>/g, `127.0.0.1:${port}`).replace(/<ORIGIN>/g, origin);
  const lines = [fill(`${r.method} ${r.target}${r.token} ${r.version}`.trimEnd())];
  if (r.withHost) lines.push(hostLine());
  if (r.upgrade) lines.push(`Origin: ${origin}`, ...upgradeLines());
  for (const [k, v] of r.headers) lines.push(`${k}: ${fill(v)}`);
  const bytes = Buffer.concat([Buffer.from(lines.join(r.eol) + r.eol + r.eol, 'latin1'), r.body]);
  const at = Math.min(r.split, bytes.length);
  return { chunks: [bytes.subarray(0, at), bytes.subarray(at)].filter((c) => c.length > 0), ending: r.ending };
}

const payload = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.json().map((s) => Buffer.from(s)),
  fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('{"id":1,"method":"cancelRun","args":["x"]}'), Buffer.alloc(70_000, 0x61)),
);
const frame: fc.Arbitrary<Frame> = fc.record({
  fin: fc.boolean(),
  rsv: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 7 })),
  opcode: fc.oneof(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.integer({ min: 0, max: 15 })),
  masked: fc.oneof(fc.constant(true), fc.boolean()),
  payload,
  claimedLength: fc.option(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(2n ** 53n, 2n ** 63n, 2n ** 20n + 1n)), { freq: 5 }).map((v) => v ?? undefined),
});

// ---- the test ----

describe('serve under hostile bytes on its port (raw TCP)', () => {
  it('no request line, header, path encoding or WebSocket frame ends serve or the live run', async () => {
    const stopFile = join(dir, 'stop');
    const live = await startLiveRun(stopFile);
    await answersIndex();

    for (const k of knownKillers()) {
      await exchange(k.chunks, k.ending);
      requestsSent.killers++;
      await stillServing(() => JSON.stringify(Buffer.concat(k.chunks).toString('latin1').slice(0, 200)));
    }
    await answersIndex();

    await fc.assert(
      fc.asyncProperty(fc.array(httpRequest, { minLength: FUZZ.perBatch, maxLength: FUZZ.perBatch }), async (batch) => {
        const sent = batch.map(renderRequest);
        await Promise.all(sent.map((s) => exchange(s.chunks, s.ending)));
        requestsSent.http += sent.length;
        await stillServing(() => `one of ${JSON.stringify(sent.map((s) => Buffer.concat(s.chunks).toString('latin1').slice(0, 200)))}`);
      }),
      { numRuns: FUZZ.httpBatches },
    );
    await answersIndex();

    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 4 }), fc.constantFrom<Ending>('hold', 'end', 'reset'), async (frames, ending) => {
        await rawWebSocket(frames.map(encodeFrame), ending);
        requestsSent.ws++;
        await stillServing(() => `frames ${JSON.stringify(frames.map((f) => ({ ...f, payload: f.payload.subarray(0, 40).toString('hex'), claimedLength: String(f.claimedLength) })))}`);
      }),
      { numRuns: FUZZ.wsCases },
    );
    await answersIndex();

    // The live run was never touched: it ends by itself, exit 0, every line it printed kept.
    writeFileSync(stopFile, '');
    const result = await live.finished;
    expect(result.exit).toMatchObject({ code: 0, reason: 'exited' });
    const rec = await live.call('getRun', [live.runId]);
    expect(rec.ok).toBe(true);
    const record = rec.result as RunRecord;
    const lines = record.stdout.trimEnd().split('\n');
    const done = /^done (\d+)$/.exec(lines.at(-1) ?? '');
    expect(done, lines.slice(-3).join(' | ')).not.toBeNull();
    const n = Number(done![1]);
    expect(lines).toEqual([...Array.from({ length: n }, (_, i) => `tick ${i}`), `done ${n}`]);
    expect(record.samples.t.length).toBeGreaterThan(result.wallMs / 1000);
    live.ws.close();
    await answersIndex();
    expect(serveStderr).toBe('');
    console.log(`serve fuzz: ${requestsSent.killers} known killers, ${requestsSent.http} raw HTTP requests, ${requestsSent.ws} WebSocket cases; run of ${(result.wallMs / 1000).toFixed(1)} s, ${n} lines, all kept`);
  }, 240_000);
});
