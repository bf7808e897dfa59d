// What the keeper (workloads/keeper.py) reports on its control pipe, one JSON line per message,
// checked against a schema: a line that is not one of these messages is ignored, as a workload
// cannot write to that pipe (the keeper holds it) and a keeper of another version may say more.
//
//   {"ev":"started","pid":P,"ns":T}                     the workload was forked at monotonic time T
//   {"ev":"exited","pid":P,"code":C,"signal":S,"ns":T}  it exited (code, or the signal's name)
//   {"ev":"done","utimeS":U,"stimeS":S,"maxrssKiB":M,"leftovers":N,"endedBy":X}
//       CPU of every process it reaped (getrusage(RUSAGE_CHILDREN): exact, like /usr/bin/time)
//   {"ev":"warning","text":W}
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { LineSplitter } from './lineSplitter';

// CLOCK_MONOTONIC nanoseconds, the clock of process.hrtime.bigint(). Past 2^53 ns (104 days of
// uptime) JSON gives a rounded whole number, still good to a microsecond: no safe-integer check.
const monotonicNs = z.number().refine(Number.isInteger, 'a whole number of nanoseconds');

export const keeperMessageSchema = z.discriminatedUnion('ev', [
  z.object({ ev: z.literal('started'), pid: z.number().int(), ns: monotonicNs }),
  z.object({ ev: z.literal('exited'), pid: z.number().int(), code: z.number().int().nullable(), signal: z.string().nullable(), ns: monotonicNs }),
  z.object({
    ev: z.literal('done'),
    utimeS: z.number().nonnegative(),
    stimeS: z.number().nonnegative(),
    maxrssKiB: z.number().nonnegative(),
    leftovers: z.number().int().nonnegative(),
    endedBy: z.string().nullable().optional(),
  }),
  z.object({ ev: z.literal('warning'), text: z.string() }),
]);

export type KeeperMessage = z.output<typeof keeperMessageSchema>;

/** Lines longer than this are not the keeper's (its longest is well under 1 KiB). */
const MAX_LINE_BYTES = 64 * 1024;

/** The keeper's report so far: every field stays undefined until its message arrives. */
export class KeeperReport {
  startedNs?: bigint;
  exitedNs?: bigint;
  code?: number | null;
  signal?: string | null;
  /** CPU of everything the keeper reaped. */
  rusage?: { userMs: number; systemMs: number };
  /** Processes still running when the workload ended, which the keeper then ended. */
  leftovers?: number;
  readonly warnings: string[] = [];

  /** Reads the keeper's control pipe until it closes. */
  attach(stream: Readable): void {
    const splitter = new LineSplitter(MAX_LINE_BYTES, (line) => this.applyLine(line), () => undefined);
    stream.on('data', (c: Buffer) => splitter.push(c));
    stream.on('end', () => splitter.end());
  }

  /** Takes one line of the pipe into the report; false (and nothing changed) when it is not a keeper message. */
  applyLine(line: string): boolean {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return false;
    }
    const parsed = keeperMessageSchema.safeParse(json);
    if (!parsed.success) return false;
    this.apply(parsed.data);
    return true;
  }

  apply(msg: KeeperMessage): void {
    switch (msg.ev) {
      case 'started':
        this.startedNs = BigInt(msg.ns);
        break;
      case 'exited':
        this.exitedNs = BigInt(msg.ns);
        this.code = msg.code;
        this.signal = msg.signal;
        break;
      case 'done':
        this.rusage = { userMs: msg.utimeS * 1000, systemMs: msg.stimeS * 1000 };
        this.leftovers = msg.leftovers;
        break;
      case 'warning':
        this.warnings.push(msg.text);
        break;
    }
  }
}
