// Where an output file may be written. Every save replaces its target by renaming a finished
// temp file over it, which is only right for a regular file: renamed over /dev/null it turns the
// machine's null device into a file, over a FIFO or socket it cuts whatever was listening, and
// over a symlink it replaces the link and leaves its target stale. So one check, run by every
// command that writes before it starts any work and again at write time (the path may change
// during a ten-minute run): the output is a regular file (new or existing, writable), a symlink
// is followed to its target, and everything else is refused naming the option and the path.
import { accessSync, constants, lstatSync, readlinkSync, realpathSync, statSync, statfsSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { InputError } from '../../shared/runLimits';
import { terminalSafe } from '../../shared/terminalSafe';

/** An output path that cannot be written; the message names the option and the path. */
export class OutputPathError extends InputError {
  constructor(
    readonly option: string,
    readonly path: string,
    message: string,
  ) {
    super(option, `${option}: ${message}`);
    this.name = 'OutputPathError';
  }
}

export interface OutputCheck {
  /** How the user gave the path (`--out`, `--html`), for the message. */
  option?: string;
  /** Files the command reads: writing over one of them (by any spelling or link) is refused. */
  inputs?: readonly string[];
}

export interface OutputTarget {
  /** The file to create or replace: the path with every symbolic link followed, absolute. */
  file: string;
  /** The existing file there (followed through links), or null when it will be created. */
  existing: Stats | null;
}

const ALLOWED = 'give a regular file (new, or an existing one you can write)';

// File systems whose files are kernel interfaces, not storage (statfs f_type, linux/magic.h).
// tmpfs (and /dev's devtmpfs, which shares its number) is storage and allowed: /dev/shm is a
// common place for scratch output.
const KERNEL_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0xde5e81e4, 'efivarfs'],
  [0x1cd1, 'devpts'],
  [0x42494e4d, 'binfmt_misc'],
  [0x65735543, 'fusectl'],
  [0xf97cff8c, 'selinuxfs'],
]);

/** Folders refused by name too, where statfs is unavailable or a bind mount hides the type; /dev/shm is scratch storage. */
const KERNEL_DIRS = ['/proc', '/sys', '/dev'];
const STORAGE_UNDER_KERNEL_DIRS = ['/dev/shm'];

const within = (path: string, dir: string): boolean => path === dir || path.startsWith(dir + sep);
// Quoted, and with control characters shown, not obeyed: the message goes to a terminal.
const q = (s: string): string => terminalSafe(JSON.stringify(s));

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * Follows `path` through symbolic links, one hop at a time (so a link to a name that does not
 * exist yet still leads to where the file will be created), up to the kernel's own limit.
 */
function follow(path: string, option: string, given: string): { file: string; st: Stats | null } {
  let file = resolve(path);
  for (let hops = 0; hops <= 40; hops++) {
    let st: Stats;
    try {
      st = lstatSync(file);
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT') return { file, st: null };
      if (code === 'ENOTDIR') throw new OutputPathError(option, given, `a part of ${q(given)} before the file name is not a folder`);
      throw new OutputPathError(option, given, `cannot look at ${q(file)} (${code ?? (err as Error).message})`);
    }
    if (!st.isSymbolicLink()) return { file, st };
    const to = readlinkSync(file);
    file = isAbsolute(to) ? resolve(to) : resolve(dirname(file), to);
  }
  throw new OutputPathError(option, given, `${q(given)} is a loop of symbolic links`);
}

/** The folder with its own links resolved, so the name checks see the real place. */
function realFolder(dir: string, option: string, given: string): string {
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (err) {
    if (errno(err) === 'ENOENT') throw new OutputPathError(option, given, `the folder ${q(dir)} does not exist`);
    throw new OutputPathError(option, given, `cannot look at the folder ${q(dir)} (${errno(err) ?? (err as Error).message})`);
  }
  if (!st.isDirectory()) throw new OutputPathError(option, given, `${q(dir)} is not a folder`);
  return realpathSync(dir);
}

/** "in /proc, a kernel file system" when the folder holds kernel interfaces, else null. */
function kernelPlace(folder: string): string | null {
  const dir = KERNEL_DIRS.find((d) => within(folder, d));
  if (dir && !STORAGE_UNDER_KERNEL_DIRS.some((d) => within(folder, d))) return dir === '/dev' ? 'in /dev, the folder of device files' : `in ${dir}, a kernel file system`;
  try {
    const type = statfsSync(folder).type;
    const name = KERNEL_FS.get(type) ?? KERNEL_FS.get(type >>> 0);
    if (name) return `on ${name}, a kernel file system`;
  } catch {
    // statfs unsupported here: the name check above is what is left
  }
  return null;
}

/**
 * Checks that `path` can take an output file and says which file that is. Throws
 * OutputPathError (an input error: exit 2 in the CLI) naming the option, the path, what is
 * wrong there and what is allowed. Decided by stat and mode bits, not access() alone: as root
 * access() calls every file writable, yet a 0444 file was made read-only on purpose.
 */
export function checkOutputTarget(path: string, check: OutputCheck = {}): OutputTarget {
  const option = check.option ?? 'output file';
  if (path.trim() === '') throw new OutputPathError(option, path, `the file name is empty; ${ALLOWED}`);
  const { file: followed, st } = follow(path, option, path);
  const via = followed === resolve(path) ? q(path) : `${q(path)} (a link to ${q(followed)})`;
  const folder = realFolder(dirname(followed), option, path);
  const file = join(folder, basename(followed));
  if (st?.isDirectory()) throw new OutputPathError(option, path, `${via} is a folder; give a file name`);
  if (st && !st.isFile()) throw new OutputPathError(option, path, `${via} is ${kindOf(st)}; ${ALLOWED}`);
  const kernel = kernelPlace(folder);
  if (kernel) throw new OutputPathError(option, path, `${via} is ${kernel}, not storage; ${ALLOWED}`);
  if (st) {
    if ((st.mode & 0o222) === 0) throw new OutputPathError(option, path, `${via} is read-only (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}); make it writable or give another file`);
    try {
      accessSync(file, constants.W_OK);
    } catch {
      throw new OutputPathError(option, path, `${via} is not writable by this user; give another file`);
    }
    for (const input of check.inputs ?? []) {
      let inSt: Stats;
      try {
        inSt = statSync(input);
      } catch {
        continue;
      }
      if (inSt.dev === st.dev && inSt.ino === st.ino) throw new OutputPathError(option, path, `${via} is the input file ${q(input)}; give another name so the input is kept`);
    }
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new OutputPathError(option, path, `cannot write in ${q(folder)}`);
  }
  return { file, existing: st };
}
