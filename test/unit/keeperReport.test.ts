// The keeper's control-pipe messages (workloads/keeper.py) are checked against a schema before
// they count: a line that is not one of its messages changes nothing.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KeeperReport } from '../../src/engine/run/keeperReport';

describe('KeeperReport', () => {
  it('takes the four messages the keeper writes, in the shapes it writes them', () => {
    const r = new KeeperReport();
    expect(r.applyLine('{"ev": "started", "pid": 4242, "ns": 123456789012}')).toBe(true);
    expect(r.applyLine('{"ev": "warning", "text": "could not become a child subreaper; orphans may escape"}')).toBe(true);
    expect(r.applyLine('{"ev": "exited", "pid": 4242, "ns": 123999999999, "code": null, "signal": "SIGTERM"}')).toBe(true);
    expect(r.applyLine('{"ev": "done", "utimeS": 1.25, "stimeS": 0.5, "maxrssKiB": 10240, "leftovers": 2, "endedBy": "SIGTERM"}')).toBe(true);
    expect(r.startedNs).toBe(123456789012n);
    expect(r.exitedNs).toBe(123999999999n);
    expect(r.code).toBeNull();
    expect(r.signal).toBe('SIGTERM');
    expect(r.rusage).toEqual({ userMs: 1250, systemMs: 500 });
    expect(r.leftovers).toBe(2);
    expect(r.warnings).toEqual(['could not become a child subreaper; orphans may escape']);
  });

  it('keeps a monotonic time beyond 2^53 ns (over 104 days of uptime) as JSON rounds it', () => {
    const r = new KeeperReport();
    expect(r.applyLine('{"ev": "started", "pid": 1, "ns": 9007199254740993}')).toBe(true);
    expect(r.startedNs).toBe(9007199254740992n);
  });

  it('ignores lines that are not keeper messages, changing nothing', () => {
    const r = new KeeperReport();
    for (const line of [
      'not json',
      '[]',
      'null',
      '{"ev": "nonsense"}',
      '{"ev": "started", "pid": 1}',
      '{"ev": "started", "pid": 1, "ns": 1.5}',
      '{"ev": "exited", "pid": 1, "ns": 5, "code": "0", "signal": null}',
      '{"ev": "done", "utimeS": -1, "stimeS": 0, "maxrssKiB": 0, "leftovers": 0}',
      '{"ev": "done", "utimeS": 1, "stimeS": 0, "maxrssKiB": 0, "leftovers": 0.5}',
      '{"ev": "warning", "text": 42}',
    ]) expect(r.applyLine(line), line).toBe(false);
    expect(r).toMatchObject({ startedNs: undefined, exitedNs: undefined, code: undefined, signal: undefined, rusage: undefined, leftovers: undefined, warnings: [] });
  });

  it('reads its lines from the pipe, split however the chunks arrive', async () => {
    const r = new KeeperReport();
    const pipe = new PassThrough();
    r.attach(pipe);
    const text = '{"ev":"started","pid":7,"ns":10}\n{"ev":"exited","pid":7,"code":3,"signal":null,"ns":20}\n';
    pipe.write(text.slice(0, 17));
    pipe.write(text.slice(17, 50));
    pipe.end(text.slice(50));
    await new Promise((resolve) => pipe.on('end', resolve));
    expect(r.startedNs).toBe(10n);
    expect(r.exitedNs).toBe(20n);
    expect(r.code).toBe(3);
  });
});
