#!/usr/bin/env -S node --no-memory-reducer --single-threaded --interrupt-budget=540672
// Entry point of the `corescope` command: runs the bundled CLI from `npm run build`.
// --no-memory-reducer: the engine's process sleeps between samples with a heap of a few MB, and
// V8's memory reducer took it for an idle one, running full collections 8 s into every run —
// about 0.4 % of a core in a 20 s run at 20 Hz (issue #16, BENCHMARKS.md).
// --single-threaded: V8 compiles and collects on the main thread instead of handing each small
// job to helper threads, every one of which wakes for it; on a VM a wake-up costs tens of µs.
// Same work, fewer wake-ups: 2,000 threads at 20 Hz over 10 s cost 8.17–8.43 % of a core against
// 8.55–8.80 % without it (three alternating pairs, 2026-12-03), and 50 threads 0.86–0.89 % against
// 0.91–1.00 %. The engine's heap is a few MB, so a collection on the main thread is short.
// --interrupt-budget=540672 (8× V8's 67584): a function runs longer before V8 optimizes it, so it
// has seen the passes that come only now and then (slow passes, exits, new threads) and is less
// often optimized, thrown away and compiled again. Compiling was over 40 % of the main thread's
// CPU in the first second at 2,000 threads (perf); over a 10 s run there (--trace-opt) the tree
// sampler's pass was compiled once instead of four times, 146 ms of compiling instead of 227.
// Main thread over 10 s at 2,000 threads: 397–411 ms against 477–482 ms; at 50 threads over 20 s,
// 128 against 142 ms at 20 Hz and 183 against 196 ms at 100 Hz. 16× and 32× did worse at 2,000
// threads (430, 488 ms).
// Set here, not at run time: V8 reads them only as it starts. Whatever starts this CLI's Node
// itself (npm start, the bench, the agent on another machine) takes the flags from this line
// (scripts/lib/cliNodeFlags.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'index.js');
if (!existsSync(cli)) {
  process.stderr.write(`corescope: the CLI is not built yet (${cli} is missing). Run: npm run build\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
