import ipaddr from 'ipaddr.js';

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js's name for the range (`loopback`, `private`, `linkLocal`, `carrierGradeNat`, ...). */
  range: string;
}

/**
 * Whether ingest may connect to an IP address: only globally routable unicast. Loopback, private,
 * link-local (which holds the 169.254.169.254 cloud metadata service), CGNAT (Alibaba's metadata at
 * 100.100.100.200), multicast, unspecified, broadcast, reserved and unique-local IPv6 are refused.
 * An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries; the
 * other IPv6 forms that carry one (IPv4-compatible, NAT64, 6to4, Teredo) are refused.
 */
export function judgeAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  // `::a.b.c.d` (IPv4-compatible, deprecated by RFC 4291): ipaddr.js calls it unicast, yet it only
  // ever names an IPv4 address (`::7f00:1` is 127.0.0.1), and no public host is reached that way.
  if (parsed.kind() === 'ipv6' && isIpv4Compatible(parsed as ipaddr.IPv6)) {
    return { allowed: false, range: 'ipv4Compatible' };
  }
  const range = parsed.range();
  return { allowed: range === 'unicast', range };
}

/** In `::/96` (the first 96 bits zero), past `::` and `::1`, which have ranges of their own. */
function isIpv4Compatible(address: ipaddr.IPv6): boolean {
  const parts = address.parts;
  return parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7] > 1);
}
