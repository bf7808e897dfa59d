// Hostile input at every front door (issue 7), property-based with fast-check: run requests
// (engine.prepare / startRun), CLI arguments (parseKnobs and the built CLI itself), the
// workload event channel, the `serve` WebSocket, and session files. Each door must answer bad
// input with an error naming the place (or a counted warning, for event lines), never crash,
// hang, start anything, or grow without bound — and never let a key like __proto__ through
// unnoticed.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngine } from '../../src/engine/engine';
import { EventChannel, MAX_EVENT_LINE_BYTES } from '../../src/engine/run/eventChannel';
import { loadSession, loadSessionOrRun, SessionFileError } from '../../src/engine/session/sessionFile';
import { parseKnobs } from '../../src/cli/options';
import { CliInputError } from '../../src/cli/exitCodes';
import { startServer, type ServeHandle } from '../../src/cli/serve';
import { MAX_MESSAGE_BYTES } from '../../src/shared/wire';
import { apiCallArgs } from '../../src/shared/schemas';
import { SCENARIOS } from '../../src/shared/scenarios';
import { makeSession, parseSession, serializeSession, type SessionFile } from '../../src/shared/sessionSchema';
import type { EngineEvent } from '../../src/shared/api';

const ROOT = join(__dirname, '..', '..');
const engine = createEngine();
const started: EngineEvent[] = [];
engine.onEvent((e) => {
  if (e.type === 'run-started') started.push(e);
});
afterAll(() => engine.dispose());

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const SCENARIO_IDS = SCENARIOS.filter((s) => s.runtime !== 'custom').map((s) => s.id);
const PARAM_NAMES = [...new Set(SCENARIOS.flatMap((s) => s.params.map((p) => p.name)))];

function objectPrototypeIsClean(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(CLEAN_PROTO);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
const CLEAN_PROTO = Object.getOwnPropertyNames(Object.prototype).sort();

function deep(levels: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const hugeNumbers = fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, -0, NaN, Infinity, -Infinity, 2 ** 53 + 2, -(2 ** 31), 4294967296, 1e-320);
const hostile = fc.oneof(
  fc.anything({ maxDepth: 3, withBigInt: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true, withDate: true, withMap: true, withSet: true, withBoxedValues: true }),
  hugeNumbers,
  fc.constantFrom('', ' ', '\0', 'x'.repeat(70_000), '../../etc/passwd', '$(reboot)', 'true; rm -rf ~'),
  fc.constant(deep(20_000)),
  fc.constant(JSON.parse('{"__proto__":{"polluted":1}}') as unknown),
);
const keyArb = fc.oneof(fc.constantFrom(...PROTO_KEYS, ...PARAM_NAMES, ''), fc.string());

/** Valid requests with one or two fields replaced (or added) by something hostile or near-valid. */
const FIELDS = ['kind', 'scenario', 'params', 'cmd', 'cwd', 'env', 'rateHz', 'timeoutS', 'python', 'node', 'extra', '__proto__', 'constructor'];
const fieldValue = fc.oneof(
  hostile,
  fc.constantFrom('scenario', 'command', ...SCENARIO_IDS, '/tmp', 1, 20, 100, 0.1, 86_400),
  fc.dictionary(keyArb, fc.oneof(fc.integer({ min: -5, max: 70 }), fc.constantFrom('1', 'true', 'x'), fc.boolean()), { maxKeys: 3 }),
  fc.dictionary(keyArb, fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);
const nearRequest = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...SCENARIO_IDS).map((id) => ({ kind: 'scenario', scenario: id, params: {} }) as Record<string, unknown>),
      fc.constant({ kind: 'command', cmd: 'true' } as Record<string, unknown>),
    ),
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), fieldValue), { maxLength: 2 }),
  )
  .map(([base, changes]) => {
    const req = { ...base };
    for (const [k, v] of changes) {
      // Safe commands only: prepare never runs them, but a bug must not make a fuzzer run `rm`.
      if (k === 'cmd' && typeof v === 'string') continue;
      // A string interpreter would be probed by running it: keep to values the schema refuses.
      if ((k === 'python' || k === 'node') && typeof v === 'string') continue;
      Object.defineProperty(req, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return req;
  });

/** prepare()'s contract: a PreparedRun, or an Error with a non-empty `field`. Returns which. */
async function prepareOutcome(input: unknown): Promise<'ok' | 'refused'> {
  try {
    const prepared = await engine.prepare(input);
    // Accepted: then nothing the caller sent was dropped on the way.
    const req = input as Record<string, unknown>;
    if (req.kind === 'scenario') {
      const known = SCENARIOS.find((s) => s.id === req.scenario)!.params.map((p) => p.name);
      for (const k of Reflect.ownKeys(req.params as object)) expect(known, `param ${String(k)} was accepted but is not a parameter`).toContain(k);
    } else {
      expect(Reflect.ownKeys(prepared.env).sort()).toEqual(Reflect.ownKeys((req.env as object) ?? {}).sort());
    }
    return 'ok';
  } catch (err) {
    expect(err, `prepare threw a non-Error: ${String(err)}`).toBeInstanceOf(Error);
    const e = err as Error & { field?: unknown };
    expect(typeof e.field, `no field in: ${e.message}`).toBe('string');
    expect((e.field as string).length).toBeGreaterThan(0);
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message.length).toBeLessThan(2000);
    return 'refused';
  }
}

describe('run requests: engine.prepare / startRun', () => {
  it('any value at all: a prepared run or an Error naming the field', async () => {
    await fc.assert(fc.asyncProperty(hostile, async (v) => void (await prepareOutcome(v))), { numRuns: 300 });
    objectPrototypeIsClean();
  });

  it('near-valid requests with hostile fields: same contract, and nothing sent is silently dropped', async () => {
    const seen = { ok: 0, refused: 0 };
    await fc.assert(fc.asyncProperty(nearRequest, async (v) => void seen[await prepareOutcome(v)]++), { numRuns: 400 });
    // Both sides of the contract were exercised.
    expect(seen.ok).toBeGreaterThan(5);
    expect(seen.refused).toBeGreaterThan(100);
    objectPrototypeIsClean();
  });

  it('names the exact field for each kind of mistake', async () => {
    const field = (v: unknown) => engine.prepare(v).then(() => 'accepted', (e: { field?: string }) => e.field);
    expect(await field({ kind: 'command', cmd: 'true', rateHz: 1e308 })).toBe('rateHz');
    expect(await field({ kind: 'command', cmd: 'true', timeoutS: -0.0001 })).toBe('timeoutS');
    expect(await field({ kind: 'command', cmd: 'true', timeoutS: 10n })).toBe('timeoutS');
    expect(await field({ kind: 'command', cmd: 42 })).toBe('cmd');
    expect(await field({ kind: 'command', cmd: 'true', env: { A: 1 } })).toBe('env.A');
    expect(await field({ kind: 'rm', cmd: 'true' })).toBe('kind');
    expect(await field({ kind: 'scenario', scenario: 'py-threads-cpu', params: { tasks: 2 ** 53 + 2 } })).toBe('params.tasks');
    expect(await field({ kind: 'scenario', scenario: 'py-threads-cpu', params: deep(50_000) })).toMatch(/^params/);
    expect(await field({ kind: 'scenario', scenario: '__proto__', params: {} })).toBe('scenario');
    // Keys that are special to JavaScript objects are unknown parameters like any other.
    for (const k of PROTO_KEYS) {
      const raw = JSON.parse(`{"kind":"scenario","scenario":"py-threads-cpu","params":{${JSON.stringify(k)}:"1"}}`) as unknown;
      expect(await field(raw), `params.${k}`).toMatch(new RegExp(`^params\\.${k.replace(/\$/g, '\\$')}$`));
      const env = JSON.parse(`{"kind":"command","cmd":"true","env":{${JSON.stringify(k)}:"1"}}`) as unknown;
      const got = await field(env);
      // A variable called "constructor" is fine for a shell; it just must not vanish or pollute.
      if (got === 'accepted') expect(Object.keys((await engine.prepare(env)).env)).toEqual([k]);
      else expect(got).toBe(`env.${k}`);
    }
    objectPrototypeIsClean();
  });

  it('startRun with anything that is not a valid request starts nothing', async () => {
    const before = started.length;
    const invalid = hostile.filter((v) => !(v && typeof v === 'object' && 'kind' in v));
    await fc.assert(
      fc.asyncProperty(invalid, async (v) => {
        const err = await engine.startRun(v as never).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect(typeof (err as { field?: unknown }).field).toBe('string');
      }),
      { numRuns: 150 },
    );
    expect(started.length).toBe(before);
  });
});

// ---- CLI arguments ----

const camel = (k: string): string => k.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('CLI arguments', () => {
  const token = fc.oneof(
    fc.string(),
    fc.string().map((s) => `--${s}`),
    fc.constantFrom('--', '---', '--=', '--=x', '-x', '--a=b=c', '--tasks', '4', '--work-ms=10', ...PROTO_KEYS.map((k) => `--${k}`), ...PROTO_KEYS.map((k) => `--${k}=1`)),
  );

  it('parseKnobs: a knob object or a CliInputError; every knob given is kept', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (tokens) => {
        let out: Record<string, unknown>;
        try {
          out = parseKnobs(tokens);
        } catch (err) {
          expect(err).toBeInstanceOf(CliInputError);
          expect((err as Error).message).toMatch(/--<name>|unexpected argument|parameter name/);
          return;
        }
        // Every `--name=value` (the unambiguous form) shows up as its own key, whatever the name.
        for (const t of tokens) {
          const m = /^--([^=]+)=(.*)$/s.exec(t);
          if (m) expect(Object.prototype.hasOwnProperty.call(out, camel(m[1])), `knob ${t} was dropped`).toBe(true);
        }
        objectPrototypeIsClean();
      }),
      { numRuns: 2000 },
    );
  });

  it('the built CLI: random bad argv exits 2 with a message, never a stack trace', () => {
    const bin = join(ROOT, 'bin', 'corescope.mjs');
    if (!existsSync(join(ROOT, 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `npm run build` (npm test does this first)');
    const notNumber = fc.string().filter((s) => s.trim() === '' || !Number.isFinite(Number(s)));
    const badArgv = fc.oneof(
      fc.tuple(fc.string({ minLength: 1 }).filter((s) => !['run', 'compare', 'list', 'info', 'serve', 'help'].includes(s) && !s.startsWith('-')), fc.array(fc.string(), { maxLength: 3 })).map(([c, rest]) => [c, ...rest]),
      fc.tuple(notNumber, fc.constantFrom('--rate', '--timeout')).map(([v, o]) => ['run', '--cmd', 'true', o, v]),
      fc.tuple(fc.oneof(notNumber, fc.constantFrom('-1', '65536', '1.5', '1e9')), fc.constant(0)).map(([v]) => ['serve', '--port', v]),
      fc.string().map((s) => ['run', `zz-${s}`]),
      fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.string()).map(([k, v]) => ['run', 'py-threads-cpu', `--${k}`, v === '' || v.startsWith('--') ? 'x' : v]),
      fc.string().filter((s) => !/^\s*[-+]?\d+\s*$/.test(s) || Number(s) < 1 || Number(s) > 64).map((v) => ['run', 'py-threads-cpu', `--tasks=${v}`]),
    );
    const cases = fc.sample(badArgv, { numRuns: 8, seed: 7 });
    for (const argv of cases) {
      const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', timeout: 30_000 });
      const what = `corescope ${JSON.stringify(argv)} → ${r.status ?? r.signal}\n${r.stderr}`;
      expect(r.status, what).toBe(2);
      expect(r.stderr.trim().length, what).toBeGreaterThan(0);
      expect(r.stderr, what).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
  });
});

describe('CLI output paths', () => {
  it('--out that cannot be written is refused before the run (exit 2 at once), not after it', () => {
    const bin = join(ROOT, 'bin', 'corescope.mjs');
    for (const [argv, why] of [
      [['run', '--cmd', 'sleep 30', '--out', '/nonexistent/dir/run.json'], /--out: the folder "\/nonexistent\/dir" does not exist/],
      [['run', '--cmd', 'sleep 30', '--out', tmpdir()], /--out: .* is a folder; give a file name/],
      [['compare', 'py-threads-cpu', 'py-mp-cpu', '--out', '/nonexistent/cmp.json'], /--out: the folder "\/nonexistent" does not exist/],
    ] as [string[], RegExp][]) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(Date.now() - t0, 'the workload ran before the path was checked').toBeLessThan(10_000);
    }
  });
});

// ---- the workload event channel ----

describe('workload event channel', () => {
  const valid = '{"ev":"task-start","task":"ok"}\n';
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
    fc.string().map((s) => Buffer.from(`${s}\n`)),
    fc.json().map((s) => Buffer.from(`${s}\n`)),
    fc.constantFrom(Buffer.from(valid), Buffer.from('{"ev":"lag","lagMs":1e400}\n'), Buffer.from('{"ev":"__proto__"}\n'), Buffer.from('\n\n\r\n')),
  );

  it('random bytes, JSON and binary: only counted warnings, valid lines still taken, memory of the splitter bounded', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 5000 }), (pieces, chunk) => {
        const ch = new EventChannel(() => 1);
        // A newline first: whatever came before, the valid line after it must be taken.
        const all = Buffer.concat([...pieces, Buffer.from('\n'), Buffer.from(valid)]);
        for (let i = 0; i < all.length; i += chunk) ch.push(all.subarray(i, i + chunk));
        ch.end();
        expect(ch.events.at(-1)).toMatchObject({ kind: 'task-start', task: 'ok' });
        const lines = all.toString('latin1').split('\n').length;
        expect(ch.events.length + ch.rejected).toBeLessThanOrEqual(lines);
        for (const w of ch.warnings()) expect(w.length).toBeLessThan(400);
        const sp = (ch as unknown as { splitter: { size: number } }).splitter;
        expect(sp.size).toBeLessThanOrEqual(MAX_EVENT_LINE_BYTES);
      }),
      { numRuns: 300 },
    );
  });

  it('lines of 10 MB (text and binary, in random chunk sizes): rejected and counted, memory stays flat', () => {
    const ten = 10 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: 4 * 1024 * 1024 }), fc.boolean(), (chunk, binary) => {
        const ch = new EventChannel(() => 1);
        const big = binary ? Buffer.from(randomBytes(ten).map((b) => (b === 10 ? 11 : b))) : Buffer.alloc(ten, 'a');
        for (let rep = 0; rep < 2; rep++) {
          for (let i = 0; i < big.length; i += chunk) ch.push(big.subarray(i, i + chunk));
          ch.push(Buffer.from(`\n${valid}`));
        }
        ch.end();
        expect(ch.rejected).toBe(2);
        expect(ch.events).toHaveLength(2);
        expect(ch.warnings().join(' ')).toMatch(/2 malformed event line\(s\) ignored; first: a line of \d+ bytes exceeds the 65536-byte limit/);
        peak = Math.max(peak, process.memoryUsage().rss);
      }),
      { numRuns: 12 },
    );
    // The 10 MB inputs themselves are ~10 MB each; nothing of them may pile up in the channel.
    expect((peak - rssBefore) / 1024 / 1024).toBeLessThan(150);
  });
});

// ---- the serve WebSocket ----

describe('serve WebSocket messages', () => {
  let server: ServeHandle;
  beforeAll(async () => {
    server = await startServer({ engine, host: '127.0.0.1', rendererDir: join(ROOT, 'out', 'renderer') });
  });
  afterAll(async () => {
    await server?.close();
  });

  interface Conn {
    ws: WebSocket;
    reply: () => Promise<Record<string, unknown>>;
    closed: Promise<{ code: number }>;
  }
  function connect(): Promise<Conn> {
    const origin = new URL(server.url).origin;
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/api?token=${server.token}`, { headers: { Origin: origin } });
    const queue: Record<string, unknown>[] = [];
    const waiters: ((m: Record<string, unknown>) => void)[] = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      if ('event' in msg) return;
      const w = waiters.shift();
      if (w) w(msg);
      else queue.push(msg);
    });
    const reply = () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        if (queue.length) return resolve(queue.shift()!);
        const t = setTimeout(() => reject(new Error('no reply within 20 s')), 20_000);
        waiters.push((m) => {
          clearTimeout(t);
          resolve(m);
        });
      });
    const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, reply, closed }));
      ws.once('error', reject);
    });
  }

  async function stillWorks(c: Conn): Promise<void> {
    c.ws.send(JSON.stringify({ id: 'probe', method: 'listScenarios', args: [] }));
    expect(await c.reply()).toMatchObject({ id: 'probe', ok: true });
  }

  it('random text and binary frames: one error reply each, the connection survives', async () => {
    const c = await connect();
    const before = started.length;
    const frame = fc.oneof(
      fc.string({ maxLength: 2000 }).map((s) => ({ data: s as string | Buffer, binary: false })),
      fc.json().map((s) => ({ data: s as string | Buffer, binary: false })),
      fc.uint8Array({ maxLength: 2000 }).map((a) => ({ data: Buffer.from(a) as string | Buffer, binary: true })),
    );
    await fc.assert(
      fc.asyncProperty(frame, async ({ data, binary }) => {
        c.ws.send(data, { binary });
        const r = await c.reply();
        expect(r.ok).toBe(false);
        const err = r.error as { code: string; message: string };
        expect(err.code).toBe('bad-input');
        expect(err.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
    await stillWorks(c);
    expect(started.length).toBe(before);
    c.ws.close();
  });

  it('calls with any method name and any args: refused by name, internal methods unreachable', async () => {
    const c = await connect();
    const before = started.length;
    const internal = ['dispose', 'prepare', 'runToEnd', 'liveRun', 'onEvent', 'saveFile', 'emit', 'trimHistory', ...PROTO_KEYS];
    const call = fc.record({
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 })),
      method: fc.oneof(fc.constantFrom(...Object.keys(apiCallArgs), ...internal), fc.string()),
      args: fc.oneof(fc.anything({ maxDepth: 3 }), fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 })),
    });
    await fc.assert(
      fc.asyncProperty(call, async (msg) => {
        // startRun with a valid request is not what this property is about (it would run something).
        fc.pre(!(msg.method === 'startRun' && Array.isArray(msg.args) && msg.args.some((a) => a && typeof a === 'object' && 'kind' in a)));
        c.ws.send(JSON.stringify(msg));
        const r = await c.reply();
        expect(r.id).toBe(msg.id);
        if (r.ok) {
          // Only real API methods answer, and only with valid args (e.g. info / listScenarios with []).
          expect(Object.keys(apiCallArgs)).toContain(msg.method);
          return;
        }
        const err = r.error as { code: string; field?: string; message: string };
        // Not an API method: refused (for its name, or first for args that are not a list).
        if (!Object.keys(apiCallArgs).includes(msg.method)) {
          expect(err.code).toBe('bad-input');
          expect(err.field).toBe(msg.args === undefined || Array.isArray(msg.args) ? 'method' : 'args');
        }
        else expect(['bad-input', 'not-found']).toContain(err.code);
        expect(err.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    await stillWorks(c);
    expect(started.length).toBe(before);
    c.ws.close();
  });

  it('an oversized frame closes only that connection (1009); the server and other connections carry on', async () => {
    const bystander = await connect();
    const c = await connect();
    // Just under the limit but not JSON: answered, connection kept.
    c.ws.send('x'.repeat(MAX_MESSAGE_BYTES - 10));
    expect(await c.reply()).toMatchObject({ id: null, ok: false, error: { message: expect.stringMatching(/not valid JSON/) } });
    await stillWorks(c);
    c.ws.send(Buffer.alloc(MAX_MESSAGE_BYTES * 3, 0x20), { binary: false });
    expect((await c.closed).code).toBe(1009);
    await stillWorks(bystander);
    // Invalid UTF-8 in a text frame: that connection is closed (1007), nothing else.
    const utf = await connect();
    utf.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await utf.closed).code).toBe(1007);
    await stillWorks(bystander);
    const again = await connect();
    await stillWorks(again);
    // A flood of small bad messages: every one answered, in order of arrival.
    for (let i = 0; i < 2000; i++) again.ws.send(JSON.stringify({ id: i, method: 'nope' }));
    for (let i = 0; i < 2000; i++) expect((await again.reply()).id).toBe(i);
    bystander.ws.close();
    again.ws.close();
  });
});

// ---- session files ----

describe('session files', () => {
  let dir: string;
  let valid: SessionFile;
  let json: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'corescope-fuzz-'));
    const rec = await engine.runToEnd({ kind: 'command', cmd: 'echo hi; sleep 0.2', rateHz: 50, timeoutS: 10 });
    const info = await engine.info();
    valid = makeSession({ corescopeVersion: info.corescopeVersion, hardware: info.hardware, runtimes: info.runtimes, runs: [rec] });
    json = serializeSession(valid);
    const check = parseSession(JSON.parse(json));
    if (!check.ok) throw new Error(`a freshly made session does not validate: ${check.issue.place}: ${check.issue.message}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  function file(data: string | Uint8Array, gz = false): string {
    const p = join(dir, `f${++n}.session.json${gz ? '.gz' : ''}`);
    writeFileSync(p, data);
    return p;
  }

  async function expectRefused(p: string, place?: RegExp): Promise<SessionFileError> {
    const err = await loadSessionOrRun(p).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, `${p} was accepted`).toBeInstanceOf(SessionFileError);
    const e = err as SessionFileError;
    expect(e.message.startsWith(p)).toBe(true);
    expect(typeof e.field).toBe('string');
    if (place) expect(e.field).toMatch(place);
    return e;
  }

  it('a valid session round-trips (the baseline the mutations start from)', async () => {
    const loaded = await loadSession(file(json));
    expect(loaded.runs[0].result.runId).toBe(valid.runs[0].result.runId);
    expect((await loadSession(file(gzipSync(json), true))).runs).toHaveLength(1);
  });

  it('random bytes: refused with the file name, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.boolean(), async (bytes, gzMagic) => {
        const data = gzMagic ? Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]) : Buffer.from(bytes);
        await expectRefused(file(data));
      }),
      { numRuns: 150 },
    );
  });

  it('truncated anywhere (plain and gzip): refused, saying it ends early', async () => {
    const gz = gzipSync(json);
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0.0001, max: 0.9999, noNaN: true }), async (frac) => {
        const plain = await expectRefused(file(json.slice(0, Math.floor(json.length * frac))));
        expect(plain.message).toMatch(/ends early|not valid JSON|truncated|must be|missing|the file is empty/);
        const zipped = await expectRefused(file(gz.subarray(0, Math.max(3, Math.floor(gz.length * frac))), true));
        expect(zipped.message).toMatch(/ends early|truncated|corrupt/);
      }),
      { numRuns: 60 },
    );
  });

  it('any one value replaced by a hostile one: loads, or is refused naming that place', async () => {
    const base = JSON.parse(json) as Record<string, unknown>;
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[], depth: number): void => {
      if (depth > 6 || paths.length > 3000) return;
      paths.push(path);
      if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...path, i], depth + 1));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k], depth + 1);
    };
    walk(base, [], 0);
    const replacement = fc.oneof(fc.jsonValue({ maxDepth: 2 }), hugeNumbers.filter((x) => Number.isFinite(x)), fc.constantFrom(null, '', 'x'.repeat(70_000), -1, 1e308, 4294967296), fc.constant(deep(300)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths.filter((p) => p.length > 0)), replacement, async (path, value) => {
        const copy = JSON.parse(json) as Record<string, unknown>;
        let cur = copy as Record<string | number, unknown>;
        for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
        cur[path.at(-1)!] = value;
        const p = file(JSON.stringify(copy));
        const outcome = await loadSessionOrRun(p).then(
          () => null,
          (e: unknown) => e,
        );
        if (outcome === null) return;
        expect(outcome).toBeInstanceOf(SessionFileError);
        expect(typeof (outcome as SessionFileError).field).toBe('string');
      }),
      { numRuns: 250 },
    );
    objectPrototypeIsClean();
  });

  it('deep nesting, prototype keys, huge numbers and huge claimed lengths: refused by place, memory bounded', async () => {
    const rssBefore = process.memoryUsage().rss;
    const head = '{"format":"corescope.session/1","createdAt":"2026-01-01T00:00:00Z","corescopeVersion":"x","hardware":{},"runtimes":[],"runs":';
    await expectRefused(file(`${head}${'['.repeat(200_000)}${']'.repeat(200_000)}}`));
    await expectRefused(file(`${head}[${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]}`));
    await expectRefused(file(`${head}[],"__proto__":{"polluted":1}}`));
    objectPrototypeIsClean();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form mutation of parsed JSON
    type Loose = Record<string, any>;
    const withRun = (mutate: (r: Loose) => void): string => {
      const copy = JSON.parse(json);
      mutate(copy.runs[0]);
      return JSON.stringify(copy);
    };
    await expectRefused(file(withRun((r) => (r.samples.coreCount = 1e12))), /runs\[0\]\.samples/);
    await expectRefused(file(withRun((r) => (r.samples.t = { length: 4294967296 }))), /runs\[0\]\.samples\.t/);
    await expectRefused(file(withRun((r) => (r.samples.rateHz = '__1e400__')).replace('"__1e400__"', '1e400')), /runs\[0\]\.samples\.rateHz/);
    await expectRefused(file(withRun((r) => (r.result.wallMs = -1e308))), /runs\[0\]\.result/);
    // A gzip trailer that claims 4 GB over a few bytes of content.
    const gz = gzipSync(json);
    gz.writeUInt32LE(0xffffffff, gz.length - 4);
    await expectRefused(file(gz, true));
    // A gzip bomb: 520 MiB of spaces in a ~0.5 MB file. Refused by the decompression cap.
    const bomb = join(dir, 'bomb.session.json.gz');
    await new Promise<void>((resolve, reject) => {
      const z = createGzip({ level: 1 });
      const out = createWriteStream(bomb);
      z.pipe(out);
      out.on('finish', resolve);
      out.on('error', reject);
      const mb = Buffer.alloc(1024 * 1024, 0x20);
      let i = 0;
      const write = (): void => {
        while (i < 520) {
          i++;
          if (!z.write(mb)) return void z.once('drain', write);
        }
        z.end();
      };
      write();
    });
    expect(readFileSync(bomb).length).toBeLessThan(4 * 1024 * 1024);
    const e = await expectRefused(bomb);
    expect(e.message).toMatch(/decompresses to more than/);
    // The cap bounds what decompression may allocate (500 MiB); nothing of it is kept.
    const growth = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    expect(growth).toBeLessThan(700);
  });
});
