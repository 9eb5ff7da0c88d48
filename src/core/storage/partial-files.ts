import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Names of temp files (`*.partial`) in cache directories that several processes may share (streamers
 * scaled on one volume, ROLE=all beside a streamer), and which of them a writer left behind.
 * A temp file names its writer, `<pid>@<host>`, where the host is a hash of where that pid means
 * something: the hostname and the pid namespace. Containers can share a hostname (network_mode: host,
 * or `hostname:` in compose) yet not see each other's pids, which there look dead.
 */
export interface WriterHost {
  hostname: string;
  /** `/proc/self/ns/pid`'s link, e.g. `pid:[4026531836]`; '' where there is no /proc. */
  pidNamespace: string;
}

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/** Where this process's pids are the ones `kill(pid, 0)` answers for. */
export const THIS_HOST: WriterHost = { hostname: hostname(), pidNamespace: pidNamespace() };

function digest(host: WriterHost): string {
  return createHash('sha256').update(`${host.hostname}\0${host.pidNamespace}`).digest('hex').slice(0, 8);
}

const HERE = digest(THIS_HOST);

function hostId(host: WriterHost): string {
  return host === THIS_HOST ? HERE : digest(host);
}

/** When this process started: a file named by its pid but older is a previous run's (a container's pid 1). */
const STARTED_MS = Date.now() - process.uptime() * 1000;
const WRITER = /\.(\d+)@([0-9a-f]{8})\.\d+\.partial$/;

/** This process's (or, for tests, another pid's, here or elsewhere) part of a temp file's name. */
export function writerTag(pid: number = process.pid, host: WriterHost = THIS_HOST): string {
  return `${pid}@${hostId(host)}`;
}

/**
 * Whether a temp file's write is over: untouched for `staleMs`, or its writer is a process of this
 * host and pid namespace that is gone. Any other writer cannot be asked, so only the file's age tells.
 * `host` is where the judging process runs (tests pretend to be elsewhere).
 */
export function isAbandoned(
  name: string,
  mtimeMs: number,
  now: number,
  staleMs: number,
  host: WriterHost = THIS_HOST,
): boolean {
  if (now - mtimeMs > staleMs) return true;
  const writer = WRITER.exec(name);
  if (!writer || writer[2] !== hostId(host)) return false;
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
