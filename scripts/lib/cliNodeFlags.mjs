// The Node flags the `corescope` command starts with: those on bin/corescope.mjs's first line
// (#!/usr/bin/env -S node FLAGS). Whatever starts the CLI's Node by hand — npm start, the bench's
// engine child — passes the same ones, so what it runs and measures is what the command runs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'corescope.mjs');

export function cliNodeFlags(bin = BIN) {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node((?: --[a-z-]+(?:=[0-9]+)?)*)$/.exec(first);
  if (!m) throw new Error(`${bin}: its first line is not "#!/usr/bin/env -S node [--flag[=number] ...]" (got ${JSON.stringify(first)})`);
  return m[1].trim().split(' ').filter(Boolean);
}
