import { classifyAddress, isMetadataHostname } from '../core/ip.js';

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
  // Dropping the fragment by hand is cheaper than setting `url.hash`, which reparses.
  const full = url.href;
  const fragment = full.indexOf('#');
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  const explicit = url.port === '' ? null : Number(url.port);
  return {
    href: fragment === -1 ? full : full.slice(0, fragment),
    scheme: url.protocol.slice(0, -1).toLowerCase(),
    host,
    port: explicit ?? DEFAULT_PORTS[url.protocol] ?? null,
    path: url.pathname,
    privateNetwork: isPrivateHost(host),
  };
}

/**
 * True for `localhost` names, cloud metadata names, and IP literals that are not public
 * unicast addresses. The class comes from the same classifier web_fetch's address guard uses
 * (`src/util/ip.ts`), so a policy and the tool never disagree on an address: before, the
 * policy called `[::127.0.0.1]` public while the tool refused it.
 */
export function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isMetadataHostname(host)) return true;
  // The URL parser writes every IPv4 literal as a dotted quad and every IPv6 one with colons;
  // anything else is a name, which saves parsing it as an address at all. Text that is not an
  // address is classed reserved, so this fails closed.
  if (!DOTTED_QUAD.test(host) && !host.includes(':')) return false;
  return classifyAddress(host) !== 'public';
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
