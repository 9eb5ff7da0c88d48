import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Host values seen lately and their keys: a few per site, bounded against a client sending many. */
const NORMALIZED_HOSTS_KEPT = 1024;
const normalizedHosts = new Map<string, string | undefined>();

/**
 * The lookup key of a `Host` value: lower case, no port, no trailing dot, IDN in punycode; IPv6
 * literals keep their brackets. Undefined for anything that is not a host name or address.
 */
export function normalizeHost(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  // Every request asks, with one of a few Host values: the regexes and IDN conversion run once each.
  if (normalizedHosts.has(raw)) return normalizedHosts.get(raw);
  const host = normalizeHostOnce(raw);
  if (normalizedHosts.size >= NORMALIZED_HOSTS_KEPT) normalizedHosts.clear(); // hostile Hosts: bounded
  normalizedHosts.set(raw, host);
  return host;
}

function normalizeHostOnce(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    const address = value.slice(1, end);
    const rest = value.slice(end + 1);
    if (end < 0 || isIP(address) !== 6 || !(rest === '' || /^:\d{1,5}$/.test(rest))) return undefined;
    return `[${address}]`;
  }
  const withoutPort = value.replace(/:\d{1,5}$/, '');
  // domainToASCII would cut `evil.com/path` down to `evil.com`: URL syntax is not a host.
  if (/[:/\\@?#%\s]/.test(withoutPort)) return undefined;
  const name = domainToASCII(withoutPort.replace(/\.$/, ''));
  return HOST_NAME.test(name) ? name : undefined;
}

/** A domain as a tenant lists it: a host name (no port, no address), normalized like `normalizeHost`. */
export function normalizeDomain(raw: string): string | undefined {
  if (/[:/[\]@\s]/.test(raw)) return undefined;
  const host = normalizeHost(raw);
  if (!host || isIP(host) !== 0 || !host.includes('.')) return undefined;
  return host;
}

/** `TRUSTED_PROXIES`: addresses and CIDR ranges whose `X-Forwarded-Host` is believed. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const { address, prefix, family } = parseProxyEntry(entry);
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, prefix, family);
    }
    this.empty = entries.length === 0;
  }

  includes(remoteAddress: string | undefined): boolean {
    if (this.empty || !remoteAddress) return false;
    const address = remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** One `TRUSTED_PROXIES` entry (`10.0.0.0/8`, `::1`, ...); throws with a readable reason. */
export function parseProxyEntry(entry: string): {
  address: string;
  prefix?: number;
  family: 'ipv4' | 'ipv6';
} {
  const [address, prefixText, extra] = entry.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR range`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, family };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= (version === 4 ? 32 : 128))) {
    throw new Error(`"${entry}" has an invalid prefix length`);
  }
  return { address, prefix, family };
}

/**
 * The host a request was addressed to: the proxy's `X-Forwarded-Host` (its first value) when the
 * connection comes from a trusted proxy, else the `Host` header. Normalized; undefined when unusable.
 */
export function requestHost(
  headers: { host?: string; 'x-forwarded-host'?: string | string[] },
  remoteAddress: string | undefined,
  proxies: TrustedProxies,
): string | undefined {
  const forwarded = headers['x-forwarded-host'];
  if (forwarded !== undefined && proxies.includes(remoteAddress)) {
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded).split(',')[0];
    return normalizeHost(first);
  }
  return normalizeHost(headers.host);
}
