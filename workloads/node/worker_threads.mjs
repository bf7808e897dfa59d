// node-worker-threads: the same CPU loop in N worker_threads (the article's Worker example).
//
// Each worker has its own V8 isolate and event loop on its own OS thread, so N workers run
// on N cores at once while the main thread stays free (its lag heartbeat stays low).
import { Worker, isMainThread, parentPort, workerData, threadId } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import * as ev from './_events.mjs';
import { calibrate, spin } from './_work.mjs';

if (isMainThread) {
  const { values } = parseArgs({
    options: {
      tasks: { type: 'string', default: '2' },
      'work-ms': { type: 'string', default: '1500' },
      'heartbeat-ms': { type: 'string', default: '20' },
    },
  });
  const tasks = Number(values.tasks);
  const iterations = Math.max(1, Math.round(calibrate() * Number(values['work-ms'])));
  const stop = ev.startHeartbeat(Number(values['heartbeat-ms']));
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: tasks }, (_, i) => new Promise((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), { workerData: { i, iterations }, name: `cpu-${i}` });
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 ? resolve(null) : reject(new Error(`worker ${i} exited ${code}`))));
    })),
  );
  stop();
  console.log(`${tasks} workers x ${iterations} iterations: ${Math.round(performance.now() - t0)} ms (results ${results.join(',')})`);
} else {
  const { i, iterations } = workerData;
  ev.taskStart(`worker-${i}`, { threadId });
  const r = spin(iterations);
  ev.taskEnd(`worker-${i}`, { threadId });
  parentPort.postMessage(r);
}
