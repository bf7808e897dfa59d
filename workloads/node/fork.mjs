// node-fork: child_process.fork N Node processes that each run the CPU loop.
//
// Separate processes, separate V8 heaps, separate event loops: like Python's multiprocessing,
// N children fill N cores. Children write events on the inherited event fd directly.
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as ev from './_events.mjs';
import { calibrate, spin } from './_work.mjs';

const isChild = process.argv.includes('--child');

if (isChild) {
  // A child with no parent left has no one to report to: exit instead of lingering.
  process.on('disconnect', () => process.exit(0));
  process.once('message', ({ i, iterations }) => {
    ev.taskStart(`proc-${i}`);
    const r = spin(iterations);
    ev.taskEnd(`proc-${i}`);
    process.send({ i, r }, () => process.disconnect());
  });
} else {
  const { values } = parseArgs({
    options: {
      tasks: { type: 'string', default: '2' },
      'work-ms': { type: 'string', default: '1500' },
    },
  });
  const tasks = Number(values.tasks);
  const iterations = Math.max(1, Math.round(calibrate() * Number(values['work-ms'])));
  const children = [];
  const stopAll = () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
  process.on('SIGTERM', () => {
    stopAll();
    process.exit(143);
  });
  const t0 = performance.now();
  const codes = await Promise.all(
    Array.from({ length: tasks }, (_, i) => new Promise((resolve) => {
      const c = fork(new URL(import.meta.url).pathname, ['--child'], { stdio: ev.forkStdio() });
      children.push(c);
      c.once('exit', (code) => resolve(code));
      c.send({ i, iterations });
    })),
  );
  console.log(`${tasks} processes x ${iterations} iterations: ${Math.round(performance.now() - t0)} ms`);
  process.exitCode = codes.every((c) => c === 0) ? 0 : 1;
}
