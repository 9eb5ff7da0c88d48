import { hostname } from 'node:os';

/**
 * This process among all of the install's: `<host>:<pid>`. Heartbeats, log lines and ingest task
 * leases carry it, so one can tell which process wrote what (and whether it is still alive).
 */
export const INSTANCE_ID = `${hostname()}:${process.pid}`;
