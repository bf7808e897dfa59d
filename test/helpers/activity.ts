// A made-up stretch of activity for unit tests: one busy thread on a quiet 2-core machine unless told.
import type { Activity } from '../../src/shared/activity';

export const act = (over: Partial<Activity> = {}): Activity => ({
  fromMs: 0,
  toMs: 1000,
  cores: 1,
  demand: over.cores ?? 1,
  otherCores: 0,
  coreCount: 2,
  activeThreads: 1,
  topThreadCores: Math.min(1, over.cores ?? 1),
  hungryThreads: 0,
  turnTaking: 0,
  turnTakers: null,
  asleep: 0,
  queued: 0,
  diskWait: 0,
  iowaitCores: 0,
  lagMaxMs: null,
  loopThreadDemand: null,
  tasksInFlight: 0,
  processesBorn: 0,
  ...over,
});
