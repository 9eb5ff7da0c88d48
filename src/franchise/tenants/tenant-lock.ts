/**
 * One tenant's lock: its changes and its deletion (with the purge of everything it has) hold it, and
 * so does the archive of its usage, so no archive writes a usage row back behind a purge.
 */
export function tenantLock(id: string): string {
  return `tenant:${id}`;
}

/** A purge of a big tenant takes a while: changes wait for it rather than fail at once. */
export const TENANT_LOCK_OPTIONS = { ttlMs: 30_000, waitMs: 60_000 };
