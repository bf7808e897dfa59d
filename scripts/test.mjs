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

// Type-checking the Electron shell needs the electron package's types. Where its binary could
// not be downloaded, npm dropped the (optional) package: put it back without the binary.
if (!existsSync('node_modules/electron/package.json')) {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  const version = lock.packages?.['node_modules/electron']?.version;
  process.stdout.write(`\n== electron ${version} is not installed (its binary download failed): installing the package without the binary, for its types\n`);
  const r = spawnSync('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `electron@${version}`], { stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
  if (r.status !== 0) {
    process.stdout.write('\ncould not install the electron package.\n0 passed, 1 failed\n');
    process.exit(1);
  }
}

const npx = 'npx';
step('lint', npx, ['eslint', '.']);
step('typecheck', npx, ['tsc', '-p', 'tsconfig.json']);
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
