import ipaddr from 'ipaddr.js';
import { UsageError } from './errors.js';

/**
 * IP address classification for SSRF protection, shared by the web_fetch tool and the policy
 * engine. Everything that is not `public` is refused by default; a policy grants exceptions
 * with `private_network` CIDR ranges.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'metadata'
  | 'reserved';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Cloud instance-metadata endpoints: AWS/GCP/Azure/OCI, AWS ECS, Alibaba, AWS over IPv6. */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  'fd00:ec2:0:0:0:0:0:254',
]);

/** Host names that reach a metadata service through the platform's resolver. */
const METADATA_HOSTNAMES = new Set(['metadata.google.internal', 'metadata.goog']);

const IPV4_CLASSES: Record<string, AddressClass> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'reserved',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'cgnat',
  private: 'private',
};

const IPV6_CLASSES: Record<string, AddressClass> = {
  unicast: 'public',
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
};

/** True when the string is an IPv4 or IPv6 address (IPv6 without brackets). */
export function isIpAddress(value: string): boolean {
  return parseAddress(value) !== undefined;
}

/**
 * The class of an IP address. IPv6 forms that carry an IPv4 address (mapped, compatible,
 * translated, NAT64, 6to4) are classified by the IPv4 address inside them, and anything that
 * is not an address at all is `reserved`, so callers fail closed.
 */
export function classifyAddress(ip: string): AddressClass {
  const address = parseAddress(ip);
  return address ? classify(address) : 'reserved';
}

/**
 * Parses an address, writing an IPv6 address's trailing dotted quad as hex words first:
 * ipaddr.js reads `::8.8.8.8` (IPv4-compatible) as if it were `::ffff:8.8.8.8` (mapped).
 */
function parseAddress(value: string): Address | undefined {
  let text = stripBrackets(value);
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(%.*)?$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2, 6).map(Number) as [number, number, number, number];
    if (a > 255 || b > 255 || c > 255 || d > 255) return undefined;
    const words = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    text = `${dotted[1]}${words}${dotted[6] ?? ''}`;
  }
  try {
    return ipaddr.parse(text);
  } catch {
    return undefined;
  }
}

function classify(address: Address): AddressClass {
  if (METADATA_ADDRESSES.has(address.toNormalizedString())) return 'metadata';
  if (address.kind() === 'ipv4') {
    return IPV4_CLASSES[address.range()] ?? 'reserved';
  }
  const v6 = address as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    const inner = classify(embedded.address);
    // A translation prefix to a public address is a real route (NAT64, 6to4); the deprecated
    // IPv4-compatible form never is.
    if (inner === 'public') return embedded.routable ? 'public' : 'reserved';
    return inner;
  }
  const range = v6.range();
  if (range === 'unicast' && (v6.parts[0]! & 0xe000) !== 0x2000) return 'reserved';
  return IPV6_CLASSES[range] ?? 'reserved';
}

/** The IPv4 address inside an IPv6 address, for the forms that embed one. */
function embeddedIPv4(v6: ipaddr.IPv6): { address: ipaddr.IPv4; routable: boolean } | undefined {
  const p = v6.parts;
  const fromWords = (hi: number, lo: number) =>
    new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') {
    return { address: fromWords(p[6]!, p[7]!), routable: true };
  }
  if (range === 'rfc6052') return { address: fromWords(p[6]!, p[7]!), routable: true };
  if (range === '6to4') return { address: fromWords(p[1]!, p[2]!), routable: true };
  const compatible = p.slice(0, 6).every((part) => part === 0);
  if (compatible && range !== 'unspecified' && range !== 'loopback') {
    return { address: fromWords(p[6]!, p[7]!), routable: false };
  }
  return undefined;
}

/** True when the host name is a cloud metadata service's well-known name. */
export function isMetadataHostname(hostname: string): boolean {
  return METADATA_HOSTNAMES.has(hostname.toLowerCase().replace(/\.$/, ''));
}

/**
 * Parses a CIDR range (`10.0.0.0/8`, `fd00::/8`) or a bare address (a /32 or /128). Throws a
 * UsageError naming the range when it is malformed.
 */
export function parseCidr(cidr: string): [Address, number] {
  const text = cidr.trim();
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const address = parseAddress(text);
    if (!address) throw new Error('not an IP address');
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch (error) {
    throw new UsageError('INPUT_INVALID', `invalid CIDR range "${cidr}"`, {
      details: { cidr },
      cause: error,
    });
  }
}

/** True when the string is a CIDR range or a bare address that `parseCidr` accepts. */
export function isValidCidr(cidr: string): boolean {
  try {
    parseCidr(cidr);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the address lies inside one of the CIDR ranges. An IPv4-mapped IPv6 address
 * matches IPv4 ranges and the other way round; a malformed range throws a UsageError.
 */
export function isAddressInRanges(ip: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return false;
  const address = parseAddress(ip);
  if (!address) return false;
  for (const cidr of cidrs) {
    const [network, bits] = parseCidr(cidr);
    const candidate = sameKind(address, network);
    if (candidate?.match(network, bits)) return true;
  }
  return false;
}

function sameKind(address: Address, network: Address): Address | undefined {
  if (address.kind() === network.kind()) return address;
  if (address.kind() === 'ipv4') return (address as ipaddr.IPv4).toIPv4MappedAddress();
  const v6 = address as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : undefined;
}

function stripBrackets(value: string): string {
  return value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
}
