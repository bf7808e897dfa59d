// The scenario catalog: every example of the seed article as a runnable program, with its
// knobs, what it should show, and our own explanation. Pure data: the engine turns an entry
// into a command line (src/engine/scenarioCommand.ts), front ends list it.
import type { ParamValue, ScenarioInfo, ScenarioParamSpec } from './model';

// Param builders keep the specs below short and the same knob spelled the same everywhere.
const tasks = (def: number, max = 64, help = 'How many tasks run at the same time.'): ScenarioParamSpec => ({
  name: 'tasks', label: 'Tasks', kind: 'int', default: def, min: 1, max, help,
});
const workMs = (def = 1500, help = 'CPU work per task, sized so it takes this long on one idle core.'): ScenarioParamSpec => ({
  name: 'workMs', label: 'Work per task', kind: 'int', default: def, min: 10, max: 60_000, unit: 'ms', help,
});
const sleepMs = (def = 2000): ScenarioParamSpec => ({
  name: 'sleepMs', label: 'Wait per task', kind: 'int', default: def, min: 1, max: 60_000, unit: 'ms',
  help: 'How long each task waits, standing in for a network or disk call.',
});

export const SCENARIOS: ScenarioInfo[] = [
  {
    id: 'py-asyncio-sleep',
    title: 'Python asyncio: tasks awaiting sleep (I/O concurrency)',
    runtime: 'python',
    explanation:
      'Several coroutines are started together with asyncio.gather and each one awaits asyncio.sleep, ' +
      'a stand-in for waiting on a network reply. An await hands control back to the event loop, which ' +
      'keeps every pending timer in one thread. All the waits overlap, so the whole batch takes about as ' +
      'long as one wait, and the CPU lanes stay nearly empty: this is concurrency made of waiting, with ' +
      'no parallelism at all.',
    params: [tasks(4, 10_000), sleepMs(2000)],
    expectedVerdict: 'waiting',
  },
  {
    id: 'py-asyncio-blocked',
    title: 'Python asyncio: a CPU-bound coroutine blocks the loop',
    runtime: 'python',
    explanation:
      'One coroutine runs a pure-Python number-crunching loop without ever awaiting, while other ' +
      'coroutines only want to wake up every few milliseconds. The event loop runs one callback at a ' +
      'time, and it cannot take the thread back from code that does not await, so every timer fires late ' +
      'by roughly the length of the block. The lag heartbeat makes that visible. Set "Yield every" to let ' +
      'the loop breathe between chunks: the lag drops to a few chunks (a wake-up takes the loop more than one turn).',
    params: [
      tasks(3, 64, 'Coroutines that only sleep in short steps and should stay on time.'),
      { name: 'blockMs', label: 'CPU block', kind: 'int', default: 1500, min: 10, max: 60_000, unit: 'ms',
        help: 'How long the blocking coroutine runs its pure-Python loop (wall time).' },
      { name: 'chunkMs', label: 'Yield every', kind: 'int', default: 0, min: 0, max: 60_000, unit: 'ms',
        help: 'Await asyncio.sleep(0) after this many ms of the loop; 0 never yields.' },
    ],
    expectedVerdict: 'blocked',
  },
  {
    id: 'py-threads-sleep',
    title: 'Python threads: blocking sleep (I/O concurrency)',
    runtime: 'python',
    explanation:
      'Each thread calls time.sleep, the way a download blocks on a socket. A thread that is waiting ' +
      'gives up the GIL, so the other threads carry on, and all the waits overlap in wall time. ' +
      'The operating system does the waiting; the cores stay idle. Compared with asyncio, each waiting task ' +
      'costs a whole OS thread instead of a small coroutine object.',
    params: [tasks(4, 256), sleepMs(2000)],
    expectedVerdict: 'waiting',
  },
  {
    id: 'py-threads-cpu',
    title: 'Python threads: pure-Python CPU loop (GIL-bound)',
    runtime: 'python',
    explanation:
      'Every thread runs the same pure-Python counting loop. Only the thread holding the Global ' +
      'Interpreter Lock may execute bytecode, and the interpreter hands the lock around every few ' +
      'milliseconds. The threads take turns instead of running side by side: together they use about one ' +
      'core whatever the core count, and N tasks take roughly N times as long as one. Concurrency, not ' +
      'parallelism. (A free-threaded build such as python3.13t, when present, behaves differently.)',
    params: [
      tasks(2),
      workMs(),
      { name: 'switchIntervalMs', label: 'GIL switch interval', kind: 'number', default: 0, min: 0, max: 1000, unit: 'ms',
        help: 'sys.setswitchinterval: how often the GIL is offered to another thread; 0 keeps the default (5 ms).' },
    ],
    expectedVerdict: 'interleaved',
  },
  {
    id: 'py-threads-native',
    title: 'Python threads: hashlib / zlib releasing the GIL (parallel)',
    runtime: 'python',
    explanation:
      'The threads hash (SHA-256) or compress (zlib) large in-memory buffers. That work happens in C, and ' +
      'these C functions let go of the GIL while they run, so the threads really do execute at the same ' +
      'time on different cores. The GIL only serialises Python bytecode; native code that releases it can ' +
      'be parallel even inside one process. Not every C extension does this.',
    params: [
      tasks(2),
      workMs(),
      { name: 'op', label: 'Native operation', kind: 'enum', default: 'sha256', choices: ['sha256', 'zlib'],
        help: 'hashlib.sha256 or zlib.compress on each buffer.' },
      { name: 'bufferMib', label: 'Buffer size', kind: 'int', default: 8, min: 1, max: 256, unit: 'MiB',
        help: 'Size of the buffer each call works on.' },
    ],
    expectedVerdict: 'parallel',
  },
  {
    id: 'py-mp-cpu',
    title: 'Python multiprocessing: CPU loop in separate processes (parallel)',
    runtime: 'python',
    explanation:
      'The same pure-Python loop as the threads scenario, but each task runs in its own process made by ' +
      'multiprocessing.Process. Every process has a separate interpreter with its own GIL, so nothing ' +
      'forces them to take turns: with as many tasks as cores, every core is busy and the batch finishes ' +
      'in about the time of one task. The price is a whole process per task and no shared memory.',
    params: [tasks(2), workMs()],
    expectedVerdict: 'parallel',
  },
  {
    id: 'py-mp-payload',
    title: 'Python multiprocessing: large payloads through a pipe (IPC cost)',
    runtime: 'python',
    explanation:
      'The parent sends a big payload to each child process and gets it back. Processes share no ' +
      'memory, so each trip pickles the object, copies the bytes through the kernel and unpickles them on ' +
      'the other side, while the computation itself is trivial. Most CPU time is spent moving data ' +
      '(largely as system time), and the parent is a bottleneck. The run reports the bytes moved ' +
      '(ipcBytes), the time spent moving them (ipcMs) and the pickling time (pickleMs).',
    params: [
      tasks(2, 16, 'Child processes that each receive and return the payload.'),
      { name: 'payloadMib', label: 'Payload size', kind: 'int', default: 32, min: 1, max: 512, unit: 'MiB',
        help: 'Size of the object sent to each child per round.' },
      { name: 'rounds', label: 'Rounds', kind: 'int', default: 4, min: 1, max: 1000,
        help: 'How many times each child receives and returns the payload.' },
      { name: 'payload', label: 'Payload type', kind: 'enum', default: 'bytes', choices: ['bytes', 'objects'],
        help: 'A flat bytes buffer, or a list of floats (far more pickling work per byte).' },
      { name: 'transport', label: 'Transport', kind: 'enum', default: 'pipe', choices: ['pipe', 'queue'],
        help: 'multiprocessing.Pipe, or multiprocessing.Queue (adds a feeder thread).' },
    ],
    expectedVerdict: 'any',
  },
  {
    id: 'node-async-io',
    title: 'Node.js: async file reads and timers (non-blocking I/O)',
    runtime: 'node',
    explanation:
      'Several async functions read a temporary file with fs.promises.readFile and wait on timers in ' +
      'between. Each await returns the JavaScript thread to the event loop right away; libuv performs the ' +
      'file reads on its small helper-thread pool and queues a callback when one is done. One JS thread ' +
      'keeps all the tasks moving, the heartbeat stays on time, and CPU use stays low.',
    params: [
      tasks(4, 1000),
      // 16 KiB, not more: decoding a large file is CPU on the JS thread (256 KiB put the task
      // phase at 0.24–0.27 cores here, on the 0.2 line between waiting and interleaved); at 16
      // KiB it measured 0.07–0.12, so the verdict is not decided by a hair.
      { name: 'fileKib', label: 'File size', kind: 'int', default: 16, min: 1, max: 262_144, unit: 'KiB',
        help: 'Size of the temporary file each read loads (larger files add decoding CPU on the JS thread).' },
      { name: 'reads', label: 'Reads per task', kind: 'int', default: 20, min: 1, max: 10_000,
        help: 'How many times each task reads the file.' },
      { name: 'delayMs', label: 'Timer between reads', kind: 'int', default: 50, min: 0, max: 10_000, unit: 'ms',
        help: 'A setTimeout wait after each read.' },
    ],
    expectedVerdict: 'waiting',
  },
  {
    id: 'node-libuv-pool',
    title: 'Node.js: libuv thread pool (crypto.pbkdf2 / zlib)',
    runtime: 'node',
    explanation:
      'The JavaScript code only starts asynchronous crypto.pbkdf2 (or zlib.deflate) calls and awaits them. ' +
      'The heavy lifting runs on libuv\'s thread pool, whose size is fixed by UV_THREADPOOL_SIZE when the ' +
      'process starts (4 by default). Calls beyond the pool size queue up. With a pool of 1 the calls run ' +
      'one after another on one core; with a larger pool they spread over the cores, all while the main ' +
      'thread stays free.',
    params: [
      tasks(4, 256, 'How many async calls are started at once.'),
      workMs(1000, 'CPU work per call, sized so it takes this long on one idle core.'),
      { name: 'op', label: 'Operation', kind: 'enum', default: 'pbkdf2', choices: ['pbkdf2', 'zlib'],
        help: 'crypto.pbkdf2 (one long pool job per call) or zlib.deflate (many shorter jobs per call).' },
      { name: 'poolSize', label: 'Pool size (UV_THREADPOOL_SIZE)', kind: 'int', default: 4, min: 1, max: 128,
        help: 'Threads in libuv\'s pool; set in the environment before Node starts.' },
    ],
    expectedVerdict: 'parallel',
  },
  {
    id: 'node-main-cpu',
    title: 'Node.js: CPU loop on the main thread (blocked event loop)',
    runtime: 'node',
    explanation:
      'CPU-heavy jobs run on the main JavaScript thread, each handing control back to the event loop after ' +
      'every chunk. The jobs take turns on one thread, so at most one core is ever used, and a timer cannot ' +
      'fire until the running chunk finishes: the lag heartbeat shows timers late by about a chunk, more ' +
      'when several jobs queue their chunks back to back. Longer chunks mean a less responsive server.',
    params: [
      tasks(2, 64, 'CPU jobs interleaved on the main thread.'),
      workMs(1000),
      { name: 'chunkMs', label: 'Chunk length', kind: 'int', default: 100, min: 1, max: 10_000, unit: 'ms',
        help: 'How long each job computes before giving the event loop a turn.' },
    ],
    expectedVerdict: 'blocked',
  },
  {
    id: 'node-worker-threads',
    title: 'Node.js: worker_threads CPU loop (parallel)',
    runtime: 'node',
    explanation:
      'The CPU loop moves into worker_threads. Each worker is an OS thread with its own V8 instance and ' +
      'event loop inside the same process, and talks to the main thread only by messages. The workers run ' +
      'on separate cores at once, while the main thread stays responsive (its heartbeat stays on time). ' +
      'Starting a worker costs a fresh JavaScript engine, so they suit long jobs.',
    params: [tasks(2), workMs()],
    expectedVerdict: 'parallel',
  },
  {
    id: 'node-cluster-http',
    title: 'Node.js: cluster HTTP server under load (process parallelism)',
    runtime: 'node',
    explanation:
      'A cluster primary forks worker processes that all serve HTTP on one port; the primary accepts ' +
      'connections and deals them out round-robin. A built-in load generator keeps a fixed number of ' +
      'keep-alive connections busy for a while, and each request costs the worker a little CPU. Every ' +
      'worker is a full Node process with its own event loop, so more workers spread over more cores and ' +
      'serve more requests per second. The run reports requests per second and each worker\'s share.',
    params: [
      { name: 'workers', label: 'Workers', kind: 'int', default: 2, min: 1, max: 32, help: 'Server processes forked by the cluster primary.' },
      { name: 'durationMs', label: 'Load duration', kind: 'int', default: 2500, min: 100, max: 120_000, unit: 'ms',
        help: 'How long the load generator runs (it also stops after the request count).' },
      { name: 'requests', label: 'Max requests', kind: 'int', default: 100_000, min: 1, max: 10_000_000,
        help: 'The load generator stops after this many requests.' },
      { name: 'connections', label: 'Connections', kind: 'int', default: 8, min: 1, max: 256,
        help: 'Keep-alive connections, each with one request in flight.' },
      { name: 'requestWorkMs', label: 'CPU per request', kind: 'number', default: 2, min: 0, max: 100, unit: 'ms',
        help: 'Busy time each request costs the worker that serves it.' },
    ],
    expectedVerdict: 'parallel',
  },
  {
    id: 'node-fork',
    title: 'Node.js: child_process.fork CPU children (parallel processes)',
    runtime: 'node',
    explanation:
      'The parent forks separate Node processes and sends each one a CPU job over the IPC channel. Like ' +
      'Python\'s multiprocessing, every child has its own memory, V8 heap and event loop, so the children ' +
      'run on different cores at once. Messages between them are serialised copies, not shared objects.',
    params: [tasks(2), workMs()],
    expectedVerdict: 'parallel',
  },
  {
    id: 'custom',
    title: 'Custom command',
    runtime: 'custom',
    explanation:
      'Any command line of your own, run with its working directory and environment. CoreScope follows ' +
      'its whole process tree and shows the same per-core and per-thread view; if the program writes ' +
      'JSON lines to the fd named by CORESCOPE_EVENT_FD, its task spans and lag appear too.',
    params: [],
    expectedVerdict: 'any',
  },
];

/** How a scenario is launched: its program under workloads/ and which params travel as env. */
export interface ScenarioProgram {
  /** Path relative to the workloads directory. */
  file: string;
  /** Params that must (also) be in the environment before the process starts. */
  env?: Record<string, string>;
}

export const SCENARIO_PROGRAMS: Record<string, ScenarioProgram> = {
  'py-asyncio-sleep': { file: 'python/asyncio_sleep.py' },
  'py-asyncio-blocked': { file: 'python/asyncio_blocked.py' },
  'py-threads-sleep': { file: 'python/threads_sleep.py' },
  'py-threads-cpu': { file: 'python/threads_cpu.py' },
  'py-threads-native': { file: 'python/threads_native.py' },
  'py-mp-cpu': { file: 'python/mp_cpu.py' },
  'py-mp-payload': { file: 'python/mp_payload.py' },
  'node-async-io': { file: 'node/async_io.mjs' },
  // libuv reads UV_THREADPOOL_SIZE once, when the pool starts: too late to set it from JS.
  'node-libuv-pool': { file: 'node/libuv_pool.mjs', env: { poolSize: 'UV_THREADPOOL_SIZE' } },
  'node-main-cpu': { file: 'node/main_cpu.mjs' },
  'node-worker-threads': { file: 'node/worker_threads.mjs' },
  'node-cluster-http': { file: 'node/cluster_http.mjs' },
  'node-fork': { file: 'node/fork.mjs' },
};

export function getScenario(id: string): ScenarioInfo | undefined {
  return SCENARIOS.find((s) => s.id === id);
}

/** A side-by-side comparison from the article: two runs that differ in one idea. */
export interface ComparePreset {
  id: string;
  title: string;
  /** What the pair shows, in one or two sentences. */
  explanation: string;
  a: string;
  b: string;
  /** Params for each side (over the defaults); the same scenario with two settings is allowed. */
  aParams?: Record<string, ParamValue>;
  bParams?: Record<string, ParamValue>;
  aLabel: string;
  bLabel: string;
}

export const COMPARE_PRESETS: ComparePreset[] = [
  {
    id: 'threads-vs-processes',
    title: 'Python threads vs processes on CPU work',
    explanation: 'The same loop and the same amount of work: threads share one GIL and one core, processes fill the cores.',
    a: 'py-threads-cpu', b: 'py-mp-cpu',
    aParams: { tasks: 2, workMs: 1500 }, bParams: { tasks: 2, workMs: 1500 },
    aLabel: 'threading', bLabel: 'multiprocessing',
  },
  {
    id: 'asyncio-vs-threads-io',
    title: 'asyncio vs threads on waiting',
    explanation: 'Both overlap the waits and finish in about one wait; asyncio does it on one thread, threading with one OS thread per task.',
    a: 'py-asyncio-sleep', b: 'py-threads-sleep',
    aParams: { tasks: 4, sleepMs: 2000 }, bParams: { tasks: 4, sleepMs: 2000 },
    aLabel: 'asyncio', bLabel: 'threads',
  },
  {
    id: 'main-thread-vs-workers',
    title: 'Node main thread vs worker_threads on CPU work',
    explanation: 'On the main thread the jobs take turns and timers fire late; in workers they run side by side and the main thread stays responsive.',
    a: 'node-main-cpu', b: 'node-worker-threads',
    aParams: { tasks: 2, workMs: 1500 }, bParams: { tasks: 2, workMs: 1500 },
    aLabel: 'main thread', bLabel: 'worker_threads',
  },
  {
    id: 'one-process-vs-cluster',
    title: 'One Node process vs a cluster',
    explanation: 'The same server and load with one worker process and with two: requests per second and cores used should roughly double.',
    a: 'node-cluster-http', b: 'node-cluster-http',
    aParams: { workers: 1 }, bParams: { workers: 2 },
    aLabel: '1 worker', bLabel: '2 workers',
  },
  {
    id: 'gil-bound-vs-gil-releasing',
    title: 'Python threads: bytecode vs GIL-releasing C code',
    explanation: 'Same threads, different work: pure-Python loops serialise on the GIL, hashlib runs in parallel.',
    a: 'py-threads-cpu', b: 'py-threads-native',
    aParams: { tasks: 2, workMs: 1500 }, bParams: { tasks: 2, workMs: 1500 },
    aLabel: 'pure Python', bLabel: 'hashlib',
  },
  {
    id: 'libuv-pool-size',
    title: 'libuv pool of 1 vs 4 threads',
    explanation: 'Four async pbkdf2 calls: one pool thread runs them one by one, four pool threads spread them over the cores.',
    a: 'node-libuv-pool', b: 'node-libuv-pool',
    aParams: { tasks: 4, poolSize: 1 }, bParams: { tasks: 4, poolSize: 4 },
    aLabel: 'pool 1', bLabel: 'pool 4',
  },
];
