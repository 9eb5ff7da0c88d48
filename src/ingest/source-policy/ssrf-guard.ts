import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { type AllowedHost } from '../../core/config/app-config.js';
import { judgeAddress } from './address-policy.js';
import { SourceRefusedError } from './source-refused.error.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name resolution, injectable so tests never depend on (or reach) real DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/**
 * Decides which address a URL may be fetched from. The host is resolved once; every address it
 * resolves to must be public (one private answer is enough to refuse: no picking the "good" one of a
 * rebinding pair), and the caller connects to exactly the address returned — the pin that closes the
 * window between this check and the connection. Hosts in INGEST_ALLOW_HOSTS skip the address check.
 */
export class SsrfGuard {
  constructor(
    private readonly allowHosts: readonly AllowedHost[],
    private readonly resolve: Resolver = systemResolver,
  ) {}

  async check(url: URL): Promise<ResolvedAddress> {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const allowed = this.allowHosts.some(
      (entry) => entry.host === host && (entry.port === undefined || entry.port === port),
    );
    const addresses = ipaddr.isValid(host)
      ? [{ address: host, family: host.includes(':') ? 6 : 4 } as ResolvedAddress]
      : await this.lookup(host);
    if (addresses.length === 0) throw new SourceRefusedError(`${host} does not resolve to any address.`);
    if (!allowed) {
      for (const { address } of addresses) {
        const verdict = judgeAddress(address);
        if (!verdict.allowed) {
          throw new SourceRefusedError(
            `${host} resolves to ${address}, a ${verdict.range} address; ingest only fetches public addresses.`,
          );
        }
      }
    }
    return addresses[0];
  }

  private async lookup(host: string): Promise<ResolvedAddress[]> {
    try {
      return await this.resolve(host);
    } catch (error) {
      throw new SourceRefusedError(
        `${host} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
}
