import { close, open, openSync } from 'node:fs';
import { attempt } from './attempt.js';
import { type InlineFileOps, localInline } from './inline-file-ops.js';
import { localReads, type ReadQueue } from './read-queue.js';

/**
 * When a file operation runs: `now` on the event loop (a stream's first ones, while `InlineFileOps`
 * finds the disk fast), else through libuv's pool via `ReadQueue`, `first` ahead of other streams'
 * reads or `queued` in turn.
 */
export type FileOpTurn = 'now' | 'first' | 'queued';

interface OpenFile {
  fd: number;
  users: number;
  /** Callers waiting while the open is under way. */
  waiting: ((error: NodeJS.ErrnoException | null, fd: number) => void)[];
  closing?: NodeJS.Timeout;
}

/**
 * The local store's open files, shared by the streams reading them and kept open `idleMs` after the
 * last one ends: a player's seeks (a request each) and a crowd on one file skip the open, one of the
 * two trips through libuv's pool a request otherwise makes. Reads are positional (pread), so sharers
 * never disturb each other. A deleted or renamed file is refused before its bytes are reached (the
 * stream's record cache drops it at once), and its descriptor closes `idleMs` after its last reader.
 */
export class OpenFiles {
  private readonly files = new Map<string, OpenFile>();

  constructor(
    private readonly idleMs: number,
    private readonly reads: ReadQueue,
    private readonly inline: InlineFileOps,
  ) {}

  /**
   * Calls back with a descriptor of `path`, opening it (in `turn`) when it is not open yet; `release`
   * it after.
   */
  acquire(
    path: string,
    turn: FileOpTurn,
    callback: (error: NodeJS.ErrnoException | null, fd: number) => void,
  ): void {
    const known = this.files.get(path);
    if (known) {
      known.users++;
      clearTimeout(known.closing);
      known.closing = undefined;
      if (known.fd >= 0) callback(null, known.fd);
      else known.waiting.push(callback);
      return;
    }
    const file: OpenFile = { fd: -1, users: 1, waiting: [callback] };
    this.files.set(path, file);
    const opened = (error: NodeJS.ErrnoException | null, fd: number) => {
      const waiting = file.waiting;
      file.waiting = [];
      if (error) {
        this.files.delete(path);
        for (const waiter of waiting) waiter(error, -1);
        return;
      }
      file.fd = fd;
      for (const waiter of waiting) waiter(null, fd);
    };
    if (turn === 'now') {
      const result = this.inline.run(0, () => attempt(() => openSync(path, 'r')));
      opened(result.error, result.value ?? -1);
      return;
    }
    this.reads.run(turn === 'first', (done) =>
      open(path, 'r', (error, fd) => {
        done();
        opened(error, fd);
      }),
    );
  }

  /** One user of `path` is done with its descriptor (no fs call of its may be under way). */
  release(path: string): void {
    const file = this.files.get(path);
    if (!file || --file.users > 0) return;
    file.closing = setTimeout(() => {
      if (file.users > 0 || this.files.get(path) !== file) return;
      this.files.delete(path);
      close(file.fd, () => undefined);
    }, this.idleMs);
    file.closing.unref();
  }

  /** Files open now (for tests). */
  get size(): number {
    return this.files.size;
  }
}

/** The local store's open files: a second after the last reader, a descriptor closes. */
export const localFiles = new OpenFiles(1000, localReads, localInline);
