// `corescope`: the headless front door to the engine (run, compare, list, info, serve).
import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../shared/runLimits';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED, CliInputError } from './exitCodes';
import { runCommand } from './commands/run';
import { attachCommand } from './commands/attach';
import { listCommand } from './commands/list';
import { infoCommand } from './commands/info';
import { compareCommand } from './commands/compare';
import { serveCommand } from './commands/serve';
import { sweepCommand } from './commands/sweep';
import { suiteCommand } from './commands/suite';
import { exportCommand } from './commands/export';
import { agentCommand } from './commands/agent';
import { collect, parseFloatOption, parseOnListOption, parseOnOption, parseSshConfigOption, parseStacksOption } from './options';
import { terminalSafe } from '../shared/terminalSafe';
import { atDoor } from '../shared/fieldNames';
import { SUITE_DEFAULTS } from '../engine';

const program = new Command('corescope')
  .description('See concurrency versus parallelism: profile a command or a scenario per core and per thread.')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Exit codes: 0 ok · 1 the run failed (non-zero exit, signal, timeout, or could not start) ·
2 bad input (the message names the field and what is allowed), or a machine given with --on
that cannot be reached or used · 129/130/143 interrupted by a
closed terminal (SIGHUP) / Ctrl-C / SIGTERM (the whole workload tree is ended first; what was
recorded is still printed and saved).

Examples:
  corescope run --cmd "python3 train.py" --rate 50
  corescope run py-threads-cpu --tasks 2 --json
  corescope attach 4242 --duration 30
  corescope compare threads-vs-processes
  corescope sweep py-mp-cpu --tasks 1,2,4 --repeat 2 --out mp.session.json
  corescope suite --out laptop.session.json.gz
  corescope run py-mp-cpu --tasks 4 --on alice@build-box
  corescope suite --on laptop,build-box,ci-runner --out machines/
  corescope compare laptop.session.json.gz ci.session.json.gz --html compare.html
  corescope export laptop.session.json.gz --format trace --run 3 --out run3.trace.json`,
  );

/** Another machine, over SSH (issue #18): every command that runs or asks something there. */
const remoteOptions = (cmd: Command, list = false): Command =>
  cmd
    .addOption(
      list
        ? new Option('--on <hosts>', 'run on these machines over ssh, comma-separated ([user@]host[:port] each; one at a time per machine, machines in parallel)').argParser(parseOnListOption)
        : new Option('--on <[user@]host[:port]>', 'run on that machine over ssh (your ~/.ssh/config, keys and agent apply; CoreScope sends itself there, it needs Node.js ≥ 20 and Python 3)').argParser(parseOnOption),
    )
    .addOption(new Option('--ssh-config <file>', 'ssh client config file for --on (passed to ssh as -F)').argParser(parseSshConfigOption));

/** Stack samples in the launched program (shared by every command that launches one). */
const stacksOption = (): Option =>
  new Option('--stacks <off|hz>', "stack samples per second in the program's own Python and Node.js threads (which code held the GIL or blocked the loop), or off").default(100).argParser(parseStacksOption);

const runOptions = (cmd: Command): Command =>
  cmd
    .addOption(new Option('--rate <hz>', 'samples per second, 1 to 100').default(20).argParser(parseFloatOption('--rate')))
    .addOption(new Option('--timeout <s>', 'end the run after this many seconds').default(600).argParser(parseFloatOption('--timeout')))
    .addOption(stacksOption())
    .option('--python <path>', 'Python interpreter for Python scenarios')
    .option('--node <path>', 'Node.js binary for Node scenarios')
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--out <file>', 'also save the full run (samples, events, output) as JSON; a name ending in .session.json[.gz] saves a session');

remoteOptions(runOptions(
  program
    .command('run')
    .description('profile a scenario (see `corescope list`) or any command line (--cmd)')
    .argument('[scenario]', 'scenario id; its parameters are --<name> <value> options (e.g. --tasks 4)')
    .option('--cmd <command line>', 'profile this shell command line instead of a scenario')
    .option('--cwd <dir>', 'working directory for --cmd')
    .option('--env <K=V>', 'extra environment variable for --cmd (repeatable)', collect, [])
    .allowUnknownOption()
    .allowExcessArguments(),
)).action(async (scenario: string | undefined, opts, cmd: Command) => {
  process.exitCode = await runCommand(scenario, opts, cmd.args.slice(scenario ? 1 : 0));
});

remoteOptions(
  program
    .command('attach')
    .description('watch a program that is already running, by pid, as `run` watches one it launches; it is never signalled')
    .argument('<pid>', 'process id of the program (its children and threads are followed too)')
    .addOption(new Option('--rate <hz>', 'samples per second, 1 to 100').default(20).argParser(parseFloatOption('--rate')))
    .addOption(new Option('--duration <s>', 'stop watching after this many seconds (else: when the program exits, or Ctrl-C)').default(86_400).argParser(parseFloatOption('--duration')))
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--out <file>', 'also save the full run as JSON; a name ending in .session.json[.gz] saves a session'),
)
  .action(async (pid: string, opts) => {
    process.exitCode = await attachCommand(pid, opts);
  });

runOptions(
  program
    .command('compare')
    .description('run two scenarios with the same parameters (or an article preset) and show them side by side; or compare session files (machines) side by side')
    .argument('<a>', 'scenario id, a preset id (see `corescope list`), or a session file')
    .argument('[b]', 'second scenario id, or more session files')
    .option('--html <file>', 'with session files: also write a self-contained HTML comparison report')
    .allowUnknownOption()
    .allowExcessArguments(),
).action(async (a: string, b: string | undefined, opts, cmd: Command) => {
  process.exitCode = await compareCommand(a, b, opts, cmd.args.slice(b ? 2 : 1));
});

remoteOptions(
  program
    .command('sweep')
    .description('run a scenario at several task counts (repeated) and report speedup, efficiency and an Amdahl fit')
    .argument('<scenario>', 'scenario id with a tasks parameter; other parameters as --<name> <value>')
    .option('--tasks <list>', 'task counts, comma-separated (1 is always included as the baseline)', '1,2,4,8')
    .addOption(new Option('--repeat <k>', 'runs per task count').default(1).argParser(parseFloatOption('--repeat')))
    .addOption(new Option('--rate <hz>', 'samples per second, 1 to 100').default(20).argParser(parseFloatOption('--rate')))
    .addOption(new Option('--timeout <s>', 'end each run after this many seconds').default(600).argParser(parseFloatOption('--timeout')))
    .addOption(stacksOption())
    .option('--python <path>', 'Python interpreter for Python scenarios')
    .option('--node <path>', 'Node.js binary for Node scenarios')
    .option('--json', 'print the sweep as one JSON object on stdout')
    .option('--out <file>', 'save every run and the sweep as a session (.session.json, gzip when it ends in .gz)')
    .allowUnknownOption()
    .allowExcessArguments(),
)
  .action(async (scenario: string, opts, cmd: Command) => {
    process.exitCode = await sweepCommand(scenario, opts, cmd.args.slice(1));
  });

remoteOptions(
  program
    .command('suite')
    .description('the standard set for comparing machines: every scenario at its defaults, plus sweeps of the CPU-bound ones up to the core count')
    .option('--out <file>', 'save everything as a session (.session.json, gzip when it ends in .gz)')
    .addOption(new Option('--repeat <k>', 'runs per task count in the sweeps').default(SUITE_DEFAULTS.repeat).argParser(parseFloatOption('--repeat')))
    .addOption(new Option('--work-ms <ms>', 'CPU work per task in the sweeps').default(SUITE_DEFAULTS.workMs).argParser(parseFloatOption('--work-ms')))
    .addOption(new Option('--max-tasks <n>', 'sweep up to this many tasks instead of the core count').argParser(parseFloatOption('--max-tasks')))
    .addOption(new Option('--rate <hz>', 'samples per second, 1 to 100').default(20).argParser(parseFloatOption('--rate')))
    .addOption(new Option('--timeout <s>', 'end each run after this many seconds').default(600).argParser(parseFloatOption('--timeout')))
    .addOption(stacksOption())
    .option('--python <path>', 'Python interpreter for Python scenarios')
    .option('--node <path>', 'Node.js binary for Node scenarios')
    .option('--json', 'print the results as one JSON object on stdout'),
  true,
)
  .action(async (opts) => {
    process.exitCode = await suiteCommand(opts);
  });

program
  .command('export')
  .description('export a session or run file as a self-contained HTML report, CSV of samples, JSON, or a Chrome trace (Perfetto)')
  .argument('<file>', 'a .session.json[.gz] or a run JSON from `corescope run --out`')
  .addOption(new Option('--format <format>', 'html | csv | json | trace').makeOptionMandatory())
  .option('--run <n>', 'which run of a session (1-based); needed for csv and trace when it holds several')
  .option('--out <file>', 'write here instead of stdout')
  .action(async (file: string, opts) => {
    process.exitCode = await exportCommand(file, opts);
  });

program
  .command('list')
  .description('the scenario catalog with parameters, ranges and explanations')
  .option('--json', 'print JSON')
  .action(async (opts) => {
    process.exitCode = await listCommand(opts);
  });

// The far end of --on HOST, started over SSH; not for typing (hidden from --help).
program
  .command('agent', { hidden: true })
  .description('speak the API on stdin/stdout for a CoreScope on another machine (started by --on HOST over ssh)')
  .option('--stdio', 'on stdin and stdout')
  .action(async (opts) => {
    process.exitCode = await agentCommand(opts);
  });

remoteOptions(
  program
    .command('info')
    .description('hardware profile of this machine and the Python / Node runtimes found')
    .option('--json', 'print JSON')
    .option('--python <path>', 'also probe this Python interpreter')
    .option('--node <path>', 'also probe this Node.js binary'),
)
  .action(async (opts) => {
    process.exitCode = await infoCommand(opts);
  });

program
  .command('serve')
  .description('serve the app to a browser on 127.0.0.1 (token-guarded)')
  .addOption(new Option('--port <port>', 'port, 0 for any free one').default(0).argParser(parseFloatOption('--port')))
  .option('--open', 'open a Chromium/Chrome app window on it')
  .addOption(new Option('--ssh-config <file>', "ssh client config file for the app's Machines (passed to ssh as -F)").argParser(parseSshConfigOption))
  .action(async (opts) => {
    process.exitCode = await serveCommand(opts);
  });

async function main(): Promise<void> {
  // A reader that stopped reading (`corescope --help | head`) wants no more output: the command
  // finishes as it would have — its recording saved, its workloads ended — instead of dying on an
  // unhandled EPIPE with a stack trace on the terminal.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
      return;
    }
    if (err instanceof InputError || err instanceof CliInputError) {
      // The engine names fields as the API does (`rateHz`); the user typed `--rate`.
      process.stderr.write(`corescope: ${terminalSafe(atDoor(err.message, 'cli'))}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    // Messages quote what came in: a file's content, a workload's error, the user's own input.
    process.stderr.write(`corescope: ${terminalSafe(String((err as Error)?.message ?? err))}\n`);
    process.exitCode = EXIT_RUN_FAILED;
  }
}

await main();
