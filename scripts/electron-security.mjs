// Electron security scan with Doyensec's Electronegativity over the shell's sources (src/main,
// src/preload, the renderer's index.html) and, when built, what Electron actually loads
// (out/main, out/preload). Prints every finding; exits 1 when any is HIGH severity (or the scan
// itself fails), 0 otherwise. Run by test/integration/electronSecurity.test.ts.
//
//   node scripts/electron-security.mjs [--json] [--input DIR]
//
// --input scans DIR instead (the test uses it to prove a badly configured window fails the gate).
//
// Uses the scanner's programmatic runner: its own CLI entry needs an old `commander` that the
// package does not declare (with commander 14 hoisted it dies on `.version is not a function`).
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asJson = process.argv.includes('--json');
const inputAt = process.argv.indexOf('--input');
const customInput = inputAt > 0 ? process.argv[inputAt + 1] : undefined;

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The Electron the app is built for (the binary may be absent here; the scanner only needs the number).
const electronRange = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '41.0.0';
const electronVersion = electronRange.replace(/^[^\d]*/, '');

// One tree to scan, so global checks (CSP, …) see the whole shell at once.
const work = mkdtempSync(join(tmpdir(), 'corescope-eneg-'));
const inputs = [
  ['src/main', 'src/main'],
  ['src/preload', 'src/preload'],
  ['src/renderer/index.html', 'src/renderer/index.html'],
  ['out/main', 'out/main'],
  ['out/preload', 'out/preload'],
  ['out/renderer/index.html', 'out/renderer/index.html'],
];
const scanned = [];
if (customInput) {
  if (!existsSync(customInput)) {
    console.error(`electron-security: --input ${customInput} does not exist`);
    process.exit(1);
  }
  cpSync(customInput, join(work, 'input'), { recursive: true });
  scanned.push(customInput);
}
for (const [from, to] of customInput ? [] : inputs) {
  const src = join(root, from);
  if (!existsSync(src)) continue;
  cpSync(src, join(work, to), { recursive: true });
  scanned.push(from);
}
for (const needed of customInput ? [] : ['src/main', 'src/preload']) {
  if (!scanned.includes(needed)) {
    console.error(`electron-security: ${needed} is missing; nothing to scan`);
    process.exit(1);
  }
}

const severityOrder = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH'];
let result;
try {
  const runner = require('@doyensec/electronegativity/dist/runner.js');
  const run = typeof runner === 'function' ? runner : runner.default;
  // Quiet the scanner's own logger (winston) and progress bar: this script prints the findings.
  const origLog = console.log;
  console.log = () => undefined;
  try {
    result = await run({ input: work, electronVersionOverride: electronVersion, severitySet: 'informational', confidenceSet: 'tentative', isRelative: true, customScan: [], excludeFromScan: [] }, false);
  } finally {
    console.log = origLog;
  }
} catch (err) {
  console.error(`electron-security: the scan failed: ${err?.stack ?? err}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });

const findings = result.issues.map((i) => ({
  id: i.id,
  severity: i.severity.name ?? severityOrder[i.severity.value] ?? String(i.severity.value),
  severityValue: i.severity.value,
  confidence: i.confidence.name ?? String(i.confidence.value),
  file: relative(work, i.file).startsWith('..') ? i.file : relative(work, i.file),
  line: i.location?.line,
  column: i.location?.column,
  description: i.description,
  manualReview: Boolean(i.manualReview),
}));
findings.sort((a, b) => b.severityValue - a.severityValue || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
const high = findings.filter((f) => f.severity === 'HIGH');

if (asJson) {
  process.stdout.write(`${JSON.stringify({ electronVersion, scanned, checks: { global: result.globalChecks, atomic: result.atomicChecks }, errors: result.errors.length, findings, high: high.length }, null, 2)}\n`);
} else {
  process.stdout.write(`Electronegativity: ${result.globalChecks + result.atomicChecks} checks for Electron ${electronVersion} over ${scanned.join(', ')}\n`);
  for (const f of findings) process.stdout.write(`  ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id}  ${f.file}:${f.line ?? '?'}:${f.column ?? '?'}${f.manualReview ? '  (review)' : ''}\n`);
  if (result.errors.length) process.stdout.write(`  (${result.errors.length} file(s) could not be parsed)\n`);
  process.stdout.write(`${findings.length} finding(s), ${high.length} HIGH\n`);
}
if (high.length) {
  console.error(`electron-security: ${high.length} HIGH finding(s):`);
  for (const f of high) console.error(`  ${f.id} at ${f.file}:${f.line}:${f.column} — ${f.description}`);
}
process.exit(high.length ? 1 : 0);
