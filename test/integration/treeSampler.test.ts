// The tree sampler on a real process tree: children found through the children files and, as on
// kernels built without them, by scanning /proc for parent links.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { TreeSampler } from '../../src/engine/sampler/treeSampler';

let root: ReturnType<typeof spawn> | null = null;
afterEach(() => {
  if (root?.pid) {
    try {
      process.kill(-root.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  root = null;
});

async function sampleTree(scanByPpid: boolean): Promise<{ pids: number; names: string[]; cpuMs: number }> {
  // sh → (python with 2 threads spinning, sleep)
  root = spawn('sh', ['-c', `python3 -c 'import threading,time
def spin():
    end = time.time() + 0.6
    while time.time() < end: pass
ts=[threading.Thread(target=spin) for _ in range(2)]; [t.start() for t in ts]; [t.join() for t in ts]' & sleep 1 & wait`], { detached: true, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 150));
  const sampler = new TreeSampler(root.pid!, false, { scanByPpid, slowEvery: 1 });
  let last = sampler.sample(0);
  for (let i = 1; i <= 8; i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = sampler.sample(i * 50);
  }
  const out = { pids: sampler.processes.size, names: [...sampler.processes.values()].map((p) => p.info.name), cpuMs: last.treeCpuMs };
  sampler.close();
  return out;
}

describe('TreeSampler on a real tree', () => {
  for (const scan of [false, true]) {
    it(`finds every process and thread (${scan ? 'scanning /proc by ppid' : 'children files'})`, async () => {
      const t = await sampleTree(scan);
      expect(t.pids).toBeGreaterThanOrEqual(3);
      expect(t.names).toContain('sleep');
      expect(t.names.some((n) => n.startsWith('python'))).toBe(true);
      // Two GIL-bound spinning threads share ~1 core for the ~0.5 s sampled: their CPU is counted.
      expect(t.cpuMs).toBeGreaterThan(100);
    });
  }
});
