#!/usr/bin/env node
// Entry point of the `corescope` command: runs the bundled CLI from `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'index.js');
if (!existsSync(cli)) {
  process.stderr.write(`corescope: the CLI is not built yet (${cli} is missing). Run: npm run build\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
