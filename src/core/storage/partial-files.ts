import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Names of temp files (`*.partial`) in cache directories that several processes may share (streamers
 * scaled on one volume, ROLE=all beside a streamer), and which of them a writer left behind.
 * A temp file names its writer, `<pid>@<host>`: the host is hashed (a container's hostname is its own,
 * and pids of other containers mean nothing here).
 */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
/** When this process started: a file named by its pid but older is a previous run's (a container's pid 1). */
const STARTED_MS = Date.now() - process.uptime() * 1000;
const WRITER = /\.(\d+)@([0-9a-f]{8})\.\d+\.partial$/;

/** This process's (or, for tests, another pid on this host's) part of a temp file's name. */
export function writerTag(pid: number = process.pid): string {
  return `${pid}@${HOST}`;
}

/**
 * Whether a temp file's write is over: untouched for `staleMs`, or its writer is a process of this
 * host that is gone. Another host's writer cannot be asked, so only the file's age tells.
 */
export function isAbandoned(name: string, mtimeMs: number, now: number, staleMs: number): boolean {
  if (now - mtimeMs > staleMs) return true;
  const writer = WRITER.exec(name);
  if (!writer || writer[2] !== HOST) return false;
  const pid = Number(writer[1]);
  if (pid === process.pid) return mtimeMs < STARTED_MS;
  return !alive(pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
