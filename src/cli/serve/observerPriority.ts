// CoreScope's window is the observer, not the experiment. On a machine with few cores a browser
// drawing live charts (software-rendered, as on a VM) takes a real share of the cores it is
// measuring. Linux schedules each session's "autogroup" as one unit against the others, and
// workloads run in sessions of their own, so lowering the browser's own process priority alone
// changes nothing: its whole autogroup must be lowered. The browser therefore starts in a new
// session (spawn detached) through a shell that first lowers that session's autogroup, then
// execs the browser at the same low priority. It still gets every cycle the workload leaves idle.
export const OBSERVER_NICE = 10;

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell commands that lower the current session's autogroup and exec `executable` with the script's arguments. */
export function observerLauncherScript(executable: string): string {
  return `echo ${OBSERVER_NICE} > /proc/self/autogroup 2>/dev/null\nexec nice -n ${OBSERVER_NICE} ${shellQuote(executable)} "$@"\n`;
}

/** The command and arguments that start `executable args…` as a low-priority observer (Linux), or unchanged elsewhere. */
export function asObserver(executable: string, args: string[]): { command: string; args: string[] } {
  if (process.platform !== 'linux') return { command: executable, args };
  // With sh -c, the word after the script is $0 and the rest are "$@".
  return { command: '/bin/sh', args: ['-c', observerLauncherScript(executable), 'corescope-ui', ...args] };
}
