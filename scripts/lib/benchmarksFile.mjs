// BENCHMARKS.md holds one section per bench (engine, renderer, soak), each between its own
// markers, so running one bench never erases another's figures.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCHMARKS_FILE = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'BENCHMARKS.md');

export function writeBenchSection(name, markdown, file = BENCHMARKS_FILE) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trimEnd()}\n${end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# CoreScope benchmarks\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const out = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, out);
  return file;
}
