import ipaddr from 'ipaddr.js';

/** What rules can say about the `url` argument of a call, parsed once per decision. */
export interface UrlFacts {
  /** The URL as the WHATWG parser normalizes it, without the fragment. */
  href: string;
  /** Scheme without the colon, lower case. */
  scheme: string;
  /** Host in lower case, punycode, without brackets or a trailing dot. */
  host: string;
  /** The explicit port, or the scheme's default (80, 443), or null for other schemes. */
  port: number | null;
  path: string;
  /** The host is an IP literal outside public unicast space, or a `localhost` name. */
  privateNetwork: boolean;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * Parses a URL argument. The WHATWG parser already folds the many spellings of an address
 * (`http://2130706433/`, `http://0x7f.1/`, IDNA names) into one, so rules see what a fetcher
 * would connect to. Returns null for text that is not an absolute URL.
 */
export function parseUrlFacts(value: unknown): UrlFacts | null {
  if (typeof value !== 'string') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  url.hash = '';
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  const explicit = url.port === '' ? null : Number(url.port);
  return {
    href: url.href,
    scheme: url.protocol.slice(0, -1).toLowerCase(),
    host,
    port: explicit ?? DEFAULT_PORTS[url.protocol] ?? null,
    path: url.pathname,
    privateNetwork: isPrivateHost(host),
  };
}

/**
 * True for `localhost` names and IP literals that are not public unicast addresses:
 * private, loopback, link-local (cloud metadata), CGNAT, unique-local, unspecified,
 * multicast, reserved, and IPv6 forms that embed an IPv4 address.
 */
export function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (!ipaddr.isValid(host)) return false;
  let address = ipaddr.parse(host);
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) address = v6.toIPv4Address();
  }
  return address.range() !== 'unicast';
}
