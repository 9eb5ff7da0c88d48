import { type IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AppError } from '../errors/app-error.js';
import { TenantDirectory } from './tenant-directory.js';
import { normalizeHost, requestHost, TrustedProxies } from './tenant-host.js';
import { DEFAULT_TENANT, type Tenant } from './tenant.js';

/** Machine endpoints answer for the install, whatever host they are reached by. */
const INSTALL_PATHS = /^\/(healthz|metrics)(\/|\?|$)/;

export type TenantResolution = { tenant: Tenant } | { tenant: Tenant | undefined; refusal: AppError };

/**
 * Picks a request's tenant from its host: the tenant listing that host, else the default site (or,
 * with TENANT_UNKNOWN_HOST=reject, a 421 for hosts that are not the install's own). A suspended tenant
 * is resolved but refused (503), so its refusal page can carry its branding.
 */
@Injectable()
export class TenantResolver {
  private readonly proxies: TrustedProxies;
  private readonly ownHosts: ReadonlySet<string>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: TenantDirectory,
  ) {
    this.proxies = new TrustedProxies(config.tenancy.trustedProxies);
    this.ownHosts = new Set(
      [new URL(config.http.publicUrl).host, 'localhost', '127.0.0.1', '[::1]'].map((host) =>
        normalizeHost(host)!,
      ),
    );
  }

  async resolve(req: IncomingMessage): Promise<TenantResolution> {
    const settled = settledWithoutHost(req);
    if (settled) return settled;
    const host = requestHost(req.headers, req.socket.remoteAddress, this.proxies);
    return this.decide(host, await this.directory.forHost(host));
  }

  /**
   * The same answer without waiting, when the directory's cache knows the host (a fast path that must
   * not await anything); undefined otherwise.
   */
  resolveCached(req: IncomingMessage): TenantResolution | undefined {
    const settled = settledWithoutHost(req);
    if (settled) return settled;
    const host = requestHost(req.headers, req.socket.remoteAddress, this.proxies);
    const tenant = this.directory.cachedForHost(host);
    return tenant === undefined ? undefined : this.decide(host, tenant ?? undefined);
  }

  private decide(host: string | undefined, tenant: Tenant | undefined): TenantResolution {
    if (!tenant) {
      if (this.config.tenancy.unknownHost === 'default' || (host && this.ownHosts.has(host))) {
        return { tenant: DEFAULT_TENANT };
      }
      return {
        tenant: undefined,
        refusal: new AppError(421, 'misdirected_request', 'This site is not served here.'),
      };
    }
    if (tenant.status === 'suspended') {
      return {
        tenant,
        refusal: new AppError(503, 'tenant_suspended', `${siteName(tenant)} is temporarily unavailable.`),
      };
    }
    return { tenant };
  }
}

/**
 * Two Host headers are a malformed request (RFC 9112 §3.2: a 400). Node keeps the first, and a cache
 * or proxy keying on the other would disagree about which site answered.
 */
const TWO_HOSTS: TenantResolution = {
  tenant: undefined,
  refusal: new AppError(400, 'bad_request', 'A request names its host once (two Host headers were sent).'),
};

/** The answer for install paths (the default site) and for two Host headers, before any lookup. */
function settledWithoutHost(req: IncomingMessage): TenantResolution | undefined {
  if (INSTALL_PATHS.test(req.url ?? '')) return { tenant: DEFAULT_TENANT };
  if (hostCount(req.rawHeaders) > 1) return TWO_HOSTS;
  return undefined;
}

function hostCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'host') count++;
  return count;
}

export function siteName(tenant: Tenant): string {
  return tenant.branding.siteName || tenant.name;
}
