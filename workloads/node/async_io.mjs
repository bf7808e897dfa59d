// node-async-io: N async tasks read a temp file with fs.promises and wait on timers.
//
// The article's readFile() example: each await hands the read to libuv and frees the one JS
// thread, so N tasks overlap their waits; the main thread stays mostly idle and responsive
// (the lag heartbeat stays near zero).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import * as ev from './_events.mjs';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '4' },
    'file-kib': { type: 'string', default: '16' },
    reads: { type: 'string', default: '20' },
    'delay-ms': { type: 'string', default: '50' },
    'heartbeat-ms': { type: 'string', default: '20' },
  },
});
const tasks = Number(values.tasks);
const fileKib = Number(values['file-kib']);
const reads = Number(values.reads);
const delayMs = Number(values['delay-ms']);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corescope-async-io-'));
const file = path.join(dir, 'example.txt');
const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    cleanup();
    process.exit(128 + os.constants.signals[sig]);
  });
}

async function reader(i) {
  ev.taskStart(`read-${i}`);
  let bytes = 0;
  for (let r = 0; r < reads; r++) {
    const content = await fs.promises.readFile(file, 'utf8');
    bytes += content.length;
    await sleep(delayMs); // a timer between reads: more waiting, not more work
  }
  ev.taskEnd(`read-${i}`);
  return bytes;
}

try {
  fs.writeFileSync(file, 'coffee order\n'.repeat(Math.ceil((fileKib * 1024) / 13)));
  const stop = ev.startHeartbeat(Number(values['heartbeat-ms']));
  const t0 = performance.now();
  const totals = await Promise.all(Array.from({ length: tasks }, (_, i) => reader(i)));
  stop();
  const total = totals.reduce((a, b) => a + b, 0);
  ev.metric('bytesRead', total, 'B');
  console.log(`${tasks} tasks read ${total} bytes in ${Math.round(performance.now() - t0)} ms`);
} finally {
  cleanup();
}
