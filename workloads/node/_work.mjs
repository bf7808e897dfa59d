// CPU work shared by the Node scenarios: a fixed amount of work per task (an iteration count),
// with the command-line knob in milliseconds converted once by calibrate() on an idle thread.

function block(n, x) {
  // Small-integer arithmetic V8 cannot fold away. i stays below 2^20 so i * 7 never leaves
  // int32: past that V8 falls back to doubles and the same "work" gets ~1.6x slower.
  for (let i = 0; i < n; i++) x = (x + i * 7) % 1000003;
  return x;
}

export function spin(iterations) {
  let x = 0;
  for (let done = 0; done < iterations; done += 1 << 20) x = block(Math.min(1 << 20, iterations - done), x);
  return x;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function rate(n) {
  // CPU time, not the wall clock: other programs taking the core (a browser drawing the previous
  // run, say) must not shrink the work this run is given. Calibration runs before any worker
  // starts, so the process's CPU is this thread's.
  const t0 = cpuMs();
  spin(n);
  return n / Math.max(1e-3, cpuMs() - t0);
}

/**
 * Iterations per millisecond of spin() on this thread. A rough probe (which also warms the
 * JIT) sizes a few ~targetMs measurements; the fastest wins, since other load on the machine
 * can only make a sample slower. ~50 ms in all, so it does not blur the run's CPU/wall.
 */
export function calibrate(targetMs = 15, samples = 3) {
  const rough = rate(1 << 20);
  const n = Math.max(1 << 19, Math.round(rough * targetMs));
  let best = 0;
  for (let i = 0; i < samples; i++) best = Math.max(best, rate(n));
  return best;
}

export function iterationsFor(workMs, rate = calibrate()) {
  return Math.max(1, Math.round(rate * workMs));
}

/** Busy the current thread for ms of wall time (used where the point is occupying a thread). */
export function busyFor(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = spin(2000) ^ x;
  return x;
}
