/** What each running process tells the others about itself, every few seconds, through Redis. */
export interface InstanceHeartbeat {
  /** `<host>:<pid>`: unique per process while it runs. */
  instanceId: string;
  roles: string[];
  host: string;
  pid: number;
  version: string;
  startedAt: string;
  /** When this heartbeat was written. */
  at: string;
  /** 1-minute load average divided by the number of cores, 0..1 (or more when overloaded). */
  cpuLoad: number;
  memory: { rssBytes: number; totalBytes: number; freeBytes: number };
  /** Free and total bytes of the filesystem holding DATA_DIR; null when it could not be read. */
  disk: DiskReading | null;
}

export interface DiskReading {
  freeBytes: number;
  totalBytes: number;
}

/** A heartbeat lives this many intervals; a process that stops writing disappears after it. */
export const HEARTBEAT_TTL_INTERVALS = 3;
export const HEARTBEAT_KEY_PREFIX = 'heartbeat:';
