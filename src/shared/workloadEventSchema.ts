// The lines a workload may write on its event channel (workloads/README.md).
import { z } from 'zod';

const id = z.number().int().positive().optional();

export const workloadEventLine = z.discriminatedUnion('ev', [
  z.object({ ev: z.literal('task-start'), task: z.union([z.string().min(1).max(200), z.number()]).transform(String), pid: id, tid: id }),
  z.object({ ev: z.literal('task-end'), task: z.union([z.string().min(1).max(200), z.number()]).transform(String), pid: id, tid: id }),
  z.object({ ev: z.literal('lag'), lagMs: z.number().finite().min(0).max(3_600_000), pid: id, tid: id }),
  z.object({ ev: z.literal('metric'), name: z.string().min(1).max(200), value: z.number().finite(), unit: z.string().max(40).optional(), pid: id }),
]);

export type WorkloadEventLine = z.infer<typeof workloadEventLine>;
