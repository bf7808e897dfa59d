// `corescope compare` on session files: two real recordings with different --rate, and a copy
// with an edited hardware block. Both machines are printed, the differences are flagged, and
// --html writes a self-contained report.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corescope.mjs');
const dir = mkdtempSync(join(tmpdir(), 'corescope-compare-'));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const A = join(dir, 'laptop.session.json');
const B = join(dir, 'fast-rate.session.json.gz');
const C = join(dir, 'workstation.session.json');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'out', 'cli', 'index.js'))) throw new Error('the CLI is not built: run `node scripts/build-cli.mjs` (npm test does this first)');
  const a = cli(['run', 'py-threads-cpu', '--tasks', '2', '--work-ms', '200', '--rate', '20', '--out', A]);
  expect(a.code, a.stderr).toBe(0);
  const b = cli(['run', 'py-threads-cpu', '--tasks', '2', '--work-ms', '200', '--rate', '50', '--out', B]);
  expect(b.code, b.stderr).toBe(0);
  // Another "machine": the same recording with its hardware block edited.
  const s = JSON.parse(readFileSync(A, 'utf8'));
  s.hardware.cpu.logicalCores = 16;
  s.hardware.cpu.physicalCores = 8;
  // The maker too: the CPU line reads "<manufacturer> <brand>", and this machine's maker varies
  // (an Intel host printed "Intel Threadripper 9999").
  s.hardware.cpu.manufacturer = 'AMD';
  s.hardware.cpu.brand = 'Ryzen Threadripper 9999';
  s.hardware.memoryBytes = 64 * 1024 ** 3;
  s.hardware.hostname = 'workstation';
  writeFileSync(C, JSON.stringify(s));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('corescope compare <sessions>', () => {
  it('run --out X.session.json writes a one-run session (gzip for .gz)', () => {
    const a = JSON.parse(readFileSync(A, 'utf8'));
    expect(a.format).toBe('corescope.session/1');
    expect(a.runs).toHaveLength(1);
    expect(a.runs[0].samples.rateHz).toBe(20);
    expect(a.runtimes[0]).toMatchObject({ kind: 'python', version: expect.stringMatching(/^3\./) });
    const b = JSON.parse(gunzipSync(readFileSync(B)).toString('utf8'));
    expect(b.runs[0].samples.rateHz).toBe(50);
  });

  it('flags a different sampling rate for the same scenario', () => {
    const r = cli(['compare', A, B]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/CoreScope comparison of 2 sessions: laptop vs fast-rate/);
    expect(r.stdout).toMatch(/! py-threads-cpu: different sampling rate: laptop 20 Hz vs fast-rate 50 Hz/);
    expect(r.stdout).toMatch(/py-threads-cpu\s+interleaved/);
  });

  it('prints both machines and flags the hardware differences; --html writes a report', () => {
    const html = join(dir, 'compare.html');
    const r = cli(['compare', A, C, '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/! hardware differs in: CPU, cores \(physical \/ logical\), memory/);
    expect(r.stdout).toMatch(/\* CPU\s+\S.*\s{2,}AMD Ryzen Threadripper 9999$/m);
    expect(r.stdout).toMatch(/\* cores \(physical \/ logical\)\s+\d+ \/ \d+\s+8 \/ 16/);
    expect(r.stdout).toMatch(/host\s+\S+\s+workstation/);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('Threadripper 9999');
    expect(page).toContain('hardware differs in: CPU, cores (physical / logical), memory');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('--json gives the comparison as data', () => {
    const r = cli(['compare', A, B, C, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.labels).toEqual(['laptop', 'fast-rate', 'workstation']);
    expect(j.scenarios[0].cells).toHaveLength(3);
    expect(j.flags.join('\n')).toMatch(/hardware differs/);
  });

  it('a damaged session is refused with exit 2, naming the file and the place', () => {
    const bad = join(dir, 'bad.session.json');
    const s = JSON.parse(readFileSync(A, 'utf8'));
    s.runs[0].samples.rateHz = 500;
    writeFileSync(bad, JSON.stringify(s));
    const r = cli(['compare', A, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: runs[0].samples.rateHz: must be a number from 1 to 100 (got 500)`);
  });

  it('export writes html, csv and a trace of a session run', () => {
    for (const [format, name] of [['html', 'r.html'], ['csv', 'r.csv'], ['trace', 'r.trace.json']] as const) {
      const out = join(dir, name);
      const r = cli(['export', B, '--format', format, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out, 'utf8').length).toBeGreaterThan(100);
    }
    expect(readFileSync(join(dir, 'r.csv'), 'utf8').split('\n')[0]).toMatch(/^t_ms,cpu0_user,/);
    expect(JSON.parse(readFileSync(join(dir, 'r.trace.json'), 'utf8')).traceEvents.length).toBeGreaterThan(10);
    const bad = cli(['export', B, '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of html, csv, json, trace/);
  });
});
