// Parser for /proc/loadavg ("0.35 1.79 1.74 2/345 31691"): its last field is the most recently
// created pid in the reader's pid namespace. Every fork and every new thread takes a pid, so an
// unchanged value proves nothing new was created since the last look: the sampler skips its
// search for new processes and threads then.

/** The last pid, or -1 when the line is not what the kernel writes. Works on the bytes of one read. */
export function lastPidFromLoadavg(buf: Uint8Array): number {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x20)) end--;
  let start = end;
  while (start > 0 && buf[start - 1] >= 0x30 && buf[start - 1] <= 0x39) start--;
  // The field must be a whole number that follows a space ("… 2/345 31691").
  if (start === end || start === 0 || buf[start - 1] !== 0x20) return -1;
  let v = 0;
  for (let i = start; i < end; i++) v = v * 10 + (buf[i] - 0x30);
  return v;
}
