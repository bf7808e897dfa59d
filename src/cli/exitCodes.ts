// The CLI's documented exit codes.
export const EXIT_OK = 0;
/** The run failed: the workload exited non-zero or by a signal, timed out, or could not start. */
export const EXIT_RUN_FAILED = 1;
/** Bad input: an option, scenario, parameter or file the CLI cannot accept. */
export const EXIT_BAD_INPUT = 2;

export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliInputError';
  }
}
