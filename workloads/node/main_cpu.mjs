// node-main-cpu: CPU work on the main JS thread, in chunks of --chunk-ms.
//
// N jobs take turns on the one thread (concurrency without parallelism). Between chunks the
// event loop gets a turn, so a timer can fire at most once per chunk: the lag heartbeat
// shows lateness of about chunk length, and one core at most is ever busy.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import * as ev from './_events.mjs';
import { busyFor } from './_work.mjs';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '2' },
    'work-ms': { type: 'string', default: '1000' },
    'chunk-ms': { type: 'string', default: '100' },
    'heartbeat-ms': { type: 'string', default: '10' },
  },
});
const tasks = Number(values.tasks);
const workMs = Number(values['work-ms']);
const chunkMs = Number(values['chunk-ms']);

async function job(i) {
  ev.taskStart(`job-${i}`);
  for (let done = 0; done < workMs; done += chunkMs) {
    busyFor(Math.min(chunkMs, workMs - done));
    await yieldToLoop(); // timers and other jobs run here, and only here
  }
  ev.taskEnd(`job-${i}`);
}

const stop = ev.startHeartbeat(Number(values['heartbeat-ms']));
await new Promise((r) => setTimeout(r, 50)); // a few on-time beats first, for contrast
const t0 = performance.now();
await Promise.all(Array.from({ length: tasks }, (_, i) => job(i)));
await new Promise((r) => setTimeout(r, 30));
stop();
console.log(`${tasks} jobs x ${workMs} ms in chunks of ${chunkMs} ms: ${Math.round(performance.now() - t0)} ms`);
