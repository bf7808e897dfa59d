// Ends a workload tree at once: SIGKILL to its process group and to every pid it was seen with
// (children that called setsid left the group but not our list).

export function endTreeNow(groupLeader: number, knownPids: number[]): void {
  const kill = (pid: number): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  kill(-groupLeader);
  for (const pid of knownPids) if (pid !== process.pid && pid > 1) kill(pid);
}
