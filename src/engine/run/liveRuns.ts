// Every run whose tree is alive, so the profiler can end them all when it exits for any reason.

const live = new Map<string, () => void>();
let hooked = false;

export function registerLiveRun(id: string, killSync: () => void): void {
  live.set(id, killSync);
  if (!hooked) {
    hooked = true;
    // 'exit' handlers must be synchronous: SIGKILL is the only thing that surely lands in time.
    process.on('exit', killAllLiveRunsSync);
  }
}

export function unregisterLiveRun(id: string): void {
  live.delete(id);
}

export function killAllLiveRunsSync(): void {
  for (const kill of live.values()) {
    try {
      kill();
    } catch {
      // keep ending the others
    }
  }
  live.clear();
}

export function liveRunCount(): number {
  return live.size;
}
