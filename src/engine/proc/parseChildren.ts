// Parser for /proc/<pid>/task/<tid>/children: space-separated pids of the task's children.

export function parseChildren(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(/\s+/)) {
    if (part === '') continue;
    const pid = Number(part);
    if (Number.isInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}
