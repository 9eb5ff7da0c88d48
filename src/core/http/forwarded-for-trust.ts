import { BlockList, isIP } from 'node:net';
import { type NextFunction, type Request, type Response } from 'express';
import { TrustedProxies } from '../tenancy/tenant-host.js';

/** Who may name a request's client (`X-Forwarded-For`) when TRUSTED_PROXIES is empty: nginx on this host. */
const SAME_HOST = ['127.0.0.0/8', '::1'];

/**
 * Express's `trust proxy`: the connections whose `X-Forwarded-For` is believed for `req.ip` (the address
 * per-address limits count: sign-in attempts, guests' comments, ad events). TRUSTED_PROXIES when it is
 * set, else loopback only. Private ranges are not trusted by default: on a LAN any machine, and behind
 * a port-forwarding proxy any client, could name itself a new address on every request.
 */
export function forwardedForTrust(trustedProxies: readonly string[]): (address: string) => boolean {
  const proxies = new TrustedProxies(trustedProxies.length > 0 ? trustedProxies : SAME_HOST);
  return (address) => proxies.includes(address);
}

const PRIVATE_RANGES = new BlockList();
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv4');
}
PRIVATE_RANGES.addSubnet('fc00::', 7, 'ipv6');
PRIVATE_RANGES.addSubnet('fe80::', 10, 'ipv6');

/**
 * Says once when `X-Forwarded-For` comes from a private address the trust does not cover: most likely
 * the operator's own proxy (another container, another machine on the LAN), whose clients then all
 * count as that one address until TRUSTED_PROXIES lists it.
 */
export function untrustedProxyWarning(
  trusts: (address: string) => boolean,
  logger: { warn: (message: string) => void },
) {
  let warned = false;
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (warned || req.headers['x-forwarded-for'] === undefined) return next();
    const from = req.socket.remoteAddress?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    if (from && !trusts(from)) {
      const family = isIP(from);
      if (family !== 0 && PRIVATE_RANGES.check(from, family === 4 ? 'ipv4' : 'ipv6')) {
        warned = true;
        logger.warn(
          `requests from ${from} carry X-Forwarded-For, but TRUSTED_PROXIES does not list it: every client behind it counts as ${from} for per-address limits (list the proxy's address or network in TRUSTED_PROXIES)`,
        );
      }
    }
    next();
  };
}
