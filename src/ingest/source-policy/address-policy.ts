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
 * An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries.
 */
export function judgeAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return { allowed: range === 'unicast', range };
}
