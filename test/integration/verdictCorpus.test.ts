// Verdicts on real programs nobody here wrote (test/corpus/programs.ts): each run five times on a
// quiet machine must get the same headline every time, the one a person who knows the program
// expects, with the phase kinds it must show; then three times each with another program holding
// one core (stress-ng), where every verdict must be the expected one or say the machine was too
// busy. Prints each program's readings, the run-to-run spread the verdict margins are set from
// (src/shared/verdict.ts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { findKeeperPython } from '../../src/engine/run/keeperPython';
import type { RunRecord } from '../../src/shared/types';
import { corpusPrograms, writeCorpusInputs, type CorpusProgram } from '../corpus/programs';
import { survivorsAfter } from './survivors';

const QUIET_RUNS = 5;
const LOADED_RUNS = 3;
const NEEDED = ['xz', 'pigz', 'zstd', 'sort', 'make', 'gcc', 'gzip', 'bzip2', 'stress-ng'];

const missing = NEEDED.filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});

const engine = createEngine();
const dir = mkdtempSync(join(tmpdir(), 'corescope-corpus-'));
const python = findKeeperPython() ?? '/usr/bin/python3';
const corpus = corpusPrograms(dir, python);

beforeAll(() => {
  // Fail loudly, never skip: a machine without the corpus cannot prove the verdicts.
  if (missing.length) throw new Error(`the verdict corpus needs ${missing.join(', ')}: apt-get install xz-utils pigz zstd make gcc bzip2 stress-ng`);
  writeCorpusInputs(dir);
});

afterAll(() => {
  engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function run(p: CorpusProgram): Promise<RunRecord> {
  const record = await engine.runToEnd({ kind: 'command', cmd: p.cmd, rateHz: 20, timeoutS: 120 });
  expect(await survivorsAfter(record), 'processes of the run still alive').toEqual([]);
  expect(record.result.exit.code, `${p.name} failed: ${record.stderr.slice(-500)}`).toBe(0);
  return record;
}

function reading(r: RunRecord): string {
  const res = r.result;
  return `${res.verdict.kind.padEnd(11)} ${(res.phases ?? []).map((ph) => `${ph.kind}(${((ph.toMs - ph.fromMs) / 1000).toFixed(1)}s ${ph.cores.toFixed(2)}/${ph.demand.toFixed(2)})`).join(' ')}`;
}

describe('verdicts on real programs, quiet machine (5 runs each)', { retry: 2 }, () => {
  for (const p of corpus) {
    it(p.name, async () => {
      const runs: RunRecord[] = [];
      for (let i = 0; i < QUIET_RUNS; i++) runs.push(await run(p));
      const lines = runs.map(reading);
      console.log(`${p.name}\n  ${lines.join('\n  ')}`);
      const kinds = runs.map((r) => r.result.verdict.kind);
      if (p.borderline && new Set(kinds).size > 1) {
        // On the line by nature, and it did flip: every run must then have said borderline, its
        // reading and the other one both among the program's.
        for (const r of runs) {
          const v = r.result.verdict;
          expect(v.borderline, `borderline expected:\n${v.text}`).toBeDefined();
          expect(p.borderline, v.text).toContain(v.kind);
          expect(p.borderline, v.text).toContain(v.borderline!.other);
        }
      } else {
        expect(new Set(kinds).size, `the same headline every time:\n${lines.join('\n')}`).toBe(1);
      }
      expect(p.expect, `expected ${p.expect.join(' or ')}:\n${runs[0].result.verdict.text}`).toContain(kinds[0]);
      for (const r of runs) {
        const phaseKinds = (r.result.phases ?? []).map((ph) => ph.kind);
        for (const k of p.phases) expect(phaseKinds, `phase ${k} missing: ${r.result.verdict.text}`).toContain(k);
      }
    }, 600_000);
  }
});

describe('verdicts with another program holding one core (stress-ng --cpu 1)', { retry: 2 }, () => {
  let load: ChildProcess | null = null;
  beforeAll(() => {
    // Bounded: it ends by itself even if this test process dies.
    load = spawn('stress-ng', ['--cpu', '1', '--cpu-method', 'fft', '--timeout', '900', '--quiet'], { stdio: 'ignore' });
  });
  afterAll(async () => {
    if (!load || load.exitCode !== null) return;
    const exited = new Promise((resolve) => load!.once('exit', resolve));
    load.kill('SIGTERM');
    await exited;
  });

  for (const p of corpus) {
    it(p.name, async () => {
      for (let i = 0; i < LOADED_RUNS; i++) {
        const r = await run(p);
        const v = r.result.verdict;
        console.log(`${p.name} (loaded)  ${reading(r)}`);
        const saysTooBusy = /too busy|could not have shown/.test(v.text);
        expect(p.expect.includes(v.kind) || saysTooBusy, `expected ${p.expect.join(' or ')} or "too busy":\n${v.text}`).toBe(true);
      }
    }, 600_000);
  }
});
