// The engine's one front door. Everything outside src/engine — the CLI, the Electron shell,
// scripts and the browser tests — imports from here and nowhere deeper (an ESLint rule in
// eslint.config.js says so), so what the engine offers is this list and its insides can move.
// Unit and integration tests under test/ may reach inside: they test the parts.
export { createEngine, Engine, type EngineOptions } from './engine';
export { corescopeVersion } from './version';
export { hardwareProfile } from './hardware';
export { buildSession } from './session/buildSession';
export { isSessionName, loadSession, loadSessionOrRun, saveSession, writeFileDurable } from './session/sessionFile';
export { checkOutputTarget, OutputPathError, type OutputTarget } from './session/outputPath';
export { comparisonReportHtml, runReportHtml, sessionReportHtml } from './export/htmlReport';
export { runToTrace } from './export/traceEvents';
// The samplers themselves, for the latency bench that times them alone.
export { CoreSampler } from './sampler/coreSampler';
export { TreeSampler } from './sampler/treeSampler';
// Other machines over SSH (issue #18).
export { RemoteEngine, RemoteError, type RemoteOptions } from './remote/remoteEngine';
export { parseSshTarget, parseSshTargets, type SshTarget } from './remote/sshTarget';
// The sweep and the standard suite, for every door that runs them.
export { runStandardSuite, runSweepPlan, suitePlan, SUITE_DEFAULTS, SUITE_SWEEP_SCENARIOS, type SuiteHooks, type SuiteOutcome, type SuiteSettings, type SweepPlan } from './suite/standardSuite';
