// `corescope`: the headless front door to the engine (run, compare, list, info, serve).
import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../shared/runLimits';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED, CliInputError } from './exitCodes';
import { runCommand } from './commands/run';
import { listCommand } from './commands/list';
import { infoCommand } from './commands/info';
import { compareCommand } from './commands/compare';
import { serveCommand } from './commands/serve';
import { collect, parseFloatOption } from './options';

const program = new Command('corescope')
  .description('See concurrency versus parallelism: profile a command or a scenario per core and per thread.')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Exit codes: 0 ok · 1 the run failed (non-zero exit, signal, timeout, or could not start) ·
2 bad input (the message names the field and what is allowed) · 130/143 interrupted by Ctrl-C / SIGTERM
(the whole workload tree is ended first).

Examples:
  corescope run --cmd "python3 train.py" --rate 50
  corescope run py-threads-cpu --tasks 2 --json
  corescope compare threads-vs-processes`,
  );

const runOptions = (cmd: Command): Command =>
  cmd
    .addOption(new Option('--rate <hz>', 'samples per second, 1 to 100').default(20).argParser(parseFloatOption('--rate')))
    .addOption(new Option('--timeout <s>', 'end the run after this many seconds').default(600).argParser(parseFloatOption('--timeout')))
    .option('--python <path>', 'Python interpreter for Python scenarios')
    .option('--node <path>', 'Node.js binary for Node scenarios')
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--out <file>', 'also save the full run (samples, events, output) as JSON');

runOptions(
  program
    .command('run')
    .description('profile a scenario (see `corescope list`) or any command line (--cmd)')
    .argument('[scenario]', 'scenario id; its parameters are --<name> <value> options (e.g. --tasks 4)')
    .option('--cmd <command line>', 'profile this shell command line instead of a scenario')
    .option('--cwd <dir>', 'working directory for --cmd')
    .option('--env <K=V>', 'extra environment variable for --cmd (repeatable)', collect, [])
    .allowUnknownOption()
    .allowExcessArguments(),
).action(async (scenario: string | undefined, opts, cmd: Command) => {
  process.exitCode = await runCommand(scenario, opts, cmd.args.slice(scenario ? 1 : 0));
});

runOptions(
  program
    .command('compare')
    .description('run two scenarios with the same parameters (or an article preset) and show them side by side')
    .argument('<a>', 'scenario id, or a preset id (see `corescope list`)')
    .argument('[b]', 'second scenario id')
    .allowUnknownOption()
    .allowExcessArguments(),
).action(async (a: string, b: string | undefined, opts, cmd: Command) => {
  process.exitCode = await compareCommand(a, b, opts, cmd.args.slice(b ? 2 : 1));
});

program
  .command('list')
  .description('the scenario catalog with parameters, ranges and explanations')
  .option('--json', 'print JSON')
  .action(async (opts) => {
    process.exitCode = await listCommand(opts);
  });

program
  .command('info')
  .description('hardware profile of this machine and the Python / Node runtimes found')
  .option('--json', 'print JSON')
  .option('--python <path>', 'also probe this Python interpreter')
  .option('--node <path>', 'also probe this Node.js binary')
  .action(async (opts) => {
    process.exitCode = await infoCommand(opts);
  });

program
  .command('serve')
  .description('serve the app to a browser on 127.0.0.1 (token-guarded)')
  .addOption(new Option('--port <port>', 'port, 0 for any free one').default(0).argParser(parseFloatOption('--port')))
  .option('--open', 'open a Chromium/Chrome app window on it')
  .action(async (opts) => {
    process.exitCode = await serveCommand(opts);
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
      return;
    }
    if (err instanceof InputError || err instanceof CliInputError) {
      process.stderr.write(`corescope: ${err.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    process.stderr.write(`corescope: ${(err as Error).message ?? err}\n`);
    process.exitCode = EXIT_RUN_FAILED;
  }
}

await main();
