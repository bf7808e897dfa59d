#!/usr/bin/env -S node --no-memory-reducer
// Entry point of the `corescope` command: runs the bundled CLI from `npm run build`.
// --no-memory-reducer: the engine's process sleeps between samples with a heap of a few MB, and
// V8's memory reducer took it for an idle one, running full collections 8 s into every run —
// about 0.4 % of a core in a 20 s run at 20 Hz (issue #16, BENCHMARKS.md). Set here, not at run
// time: V8 reads it only as it starts. Whatever starts this CLI's Node itself (npm start, the bench,
// the agent on another machine) takes the flags from this line (scripts/lib/cliNodeFlags.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'index.js');
if (!existsSync(cli)) {
  process.stderr.write(`corescope: the CLI is not built yet (${cli} is missing). Run: npm run build\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
