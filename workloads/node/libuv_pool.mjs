// node-libuv-pool: N async crypto.pbkdf2 / zlib.deflate calls on libuv's thread pool.
//
// The JS thread only submits the calls; the pool's threads (UV_THREADPOOL_SIZE, default 4)
// do the work in parallel. With --pool-size 1 the same calls queue up behind each other.
// The pool size is read once, when the pool starts, so it must be in the environment before
// this process starts: CoreScope passes it that way; run by hand, we re-exec ourselves.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import * as ev from './_events.mjs';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '4' },
    'work-ms': { type: 'string', default: '1000' },
    op: { type: 'string', default: 'pbkdf2' },
    'pool-size': { type: 'string', default: '4' },
    'heartbeat-ms': { type: 'string', default: '20' },
  },
});
const tasks = Number(values.tasks);
const workMs = Number(values['work-ms']);
const op = values.op;
const poolSize = values['pool-size'];
if (op !== 'pbkdf2' && op !== 'zlib') {
  console.error(`--op must be pbkdf2 or zlib (got ${op})`);
  process.exit(2);
}

if (process.env.UV_THREADPOOL_SIZE !== poolSize) {
  const child = spawn(process.execPath, process.argv.slice(1), {
    stdio: ev.forkStdio().filter((s) => s !== 'ipc'), // keeps the event fd at its number
    env: { ...process.env, UV_THREADPOOL_SIZE: poolSize },
  });
  // Cancelling the wrapper must not orphan the real run.
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

async function main() {
  const pbkdf2 = promisify(crypto.pbkdf2);
  const deflate = promisify(zlib.deflate);
  const zlibInput = Buffer.concat([crypto.randomBytes(2 << 20), Buffer.alloc(2 << 20, 'abcd')]);

  // Calibrate on the main thread (synchronous twins of the async calls) so --work-ms means
  // "this much CPU per call on an idle core".
  function calibrate() {
    if (op === 'pbkdf2') {
      const probe = 20_000;
      const t0 = performance.now();
      crypto.pbkdf2Sync('pw', 'salt', probe, 32, 'sha256');
      return Math.max(1, Math.round((probe * workMs) / (performance.now() - t0)));
    }
    const t0 = performance.now();
    zlib.deflateSync(zlibInput);
    return Math.max(1, Math.round(workMs / (performance.now() - t0)));
  }

  async function call(i, amount) {
    ev.taskStart(`${op}-${i}`);
    if (op === 'pbkdf2') {
      await pbkdf2('pw', `salt-${i}`, amount, 32, 'sha256');
    } else {
      // Sequential rounds within one call-chain: each round is one pool job.
      for (let r = 0; r < amount; r++) await deflate(zlibInput);
    }
    ev.taskEnd(`${op}-${i}`);
  }

  const amount = calibrate();
  const stop = ev.startHeartbeat(Number(values['heartbeat-ms']));
  const t0 = performance.now();
  await Promise.all(Array.from({ length: tasks }, (_, i) => call(i, amount)));
  stop();
  console.log(`${tasks} ${op} calls (${amount} ${op === 'pbkdf2' ? 'iterations' : 'rounds'} each) on a pool of ${poolSize}: ${Math.round(performance.now() - t0)} ms`);
}
