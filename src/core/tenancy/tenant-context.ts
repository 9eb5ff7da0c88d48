import { AsyncLocalStorage } from 'node:async_hooks';
import { DEFAULT_TENANT, type Tenant } from './tenant.js';

const storage = new AsyncLocalStorage<Tenant>();

/**
 * The tenant of the request being handled, set once per request by the tenant middleware (and by the
 * streamer's fast path). Outside a request (jobs, timers, the CLI) it is the default tenant.
 */
export const TenantContext = {
  current(): Tenant {
    return storage.getStore() ?? DEFAULT_TENANT;
  },

  /** Runs `fn` (and everything it starts) as `tenant`. */
  run<T>(tenant: Tenant, fn: () => T): T {
    return storage.run(tenant, fn);
  },
};
