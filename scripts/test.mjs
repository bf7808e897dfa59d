// `npm test`: lint, type-check, build, then every test (unit, integration, browser) in one
// Vitest run, closing with one plain summary line. A skipped test fails the run: nothing may
// pass by not running.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const REPORT = '.vitest-report.json';

function step(name, cmd, args) {
  process.stdout.write(`\n== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) {
    process.stdout.write(`\n${name} failed (exit ${r.status ?? r.signal}).\n0 passed, 1 failed\n`);
    process.exit(1);
  }
}

const npx = 'npx';
step('lint', npx, ['eslint', '.']);
step('typecheck', 'npm', ['run', 'typecheck']);
step('build', 'npm', ['run', 'build']);

rmSync(REPORT, { force: true });
process.stdout.write('\n== tests: vitest run\n');
const extra = process.argv.slice(2);
const run = spawnSync(npx, ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...extra], { stdio: 'inherit' });

if (!existsSync(REPORT)) {
  process.stdout.write(`\nvitest wrote no report (exit ${run.status ?? run.signal}).\n0 passed, 1 failed\n`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(REPORT, 'utf8'));
const passed = report.numPassedTests ?? 0;
// A file that failed without a failing test (an import error, a crash in a hook) counts once.
const fileErrors = (report.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
const failed = (report.numFailedTests ?? 0) + fileErrors;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0) process.stdout.write(`\n${skipped} test(s) were skipped: a skipped test counts as a failure here.\n`);
if (passed === 0) process.stdout.write('\nNo test ran.\n');
process.stdout.write(`\nTests: ${passed} passed, ${failed + skipped} failed\n`);
process.exit(run.status === 0 && failed === 0 && skipped === 0 && passed > 0 ? 0 : 1);
