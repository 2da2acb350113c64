import { lookup } from 'node:dns/promises';
import { raceAbort } from '../../src/core/abort.js';
import {
  type AddressClass,
  classifyAddress,
  isAddressInRanges,
  isIpAddress,
  isMetadataHostname,
} from '../../src/core/ip.js';

/** Resolves a host name to its addresses; injectable so tests never depend on real DNS. */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};

export type GuardResult =
  | { ok: true; address: string; family: 4 | 6; addresses: string[] }
  | { ok: false; code: 'FETCH_BLOCKED' | 'FETCH_DNS'; message: string };

const CLASS_WORDS: Record<AddressClass, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  cgnat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  metadata: 'a cloud metadata address',
  reserved: 'a reserved address',
};

/** The host of a URL without IPv6 brackets or a trailing dot. */
export function bareHost(url: URL): string {
  const host = url.hostname;
  const unbracketed = host.startsWith('[') ? host.slice(1, -1) : host;
  return unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed;
}

/**
 * Resolves the URL's host once and checks every address it resolves to: all must be public
 * or inside an allowed range, and the connection is then pinned to the first, so a second
 * DNS answer (rebinding) cannot send the request elsewhere.
 */
export async function guardAddress(
  url: URL,
  resolver: Resolver,
  allowedRanges: readonly string[],
  signal: AbortSignal,
): Promise<GuardResult> {
  const host = bareHost(url);
  let addresses: string[];
  if (isIpAddress(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await raceAbort(resolver(host), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const code = (error as { code?: string }).code;
      return {
        ok: false,
        code: 'FETCH_DNS',
        message: `cannot resolve the host "${host}" of ${url.href}${code ? ` (${code})` : ''}`,
      };
    }
    if (addresses.length === 0) {
      return { ok: false, code: 'FETCH_DNS', message: `the host "${host}" has no addresses` };
    }
  }
  const metadataName = isMetadataHostname(host);
  for (const address of addresses) {
    const kind = metadataName ? 'metadata' : classifyAddress(address);
    if (kind === 'public' || isAddressInRanges(address, allowedRanges)) continue;
    const named = address === host ? `the address ${address}` : `"${host}" (${address})`;
    return {
      ok: false,
      code: 'FETCH_BLOCKED',
      message: `refused to fetch ${url.href}: ${named} is ${CLASS_WORDS[kind]}; web_fetch reaches only public addresses unless a policy allows the range with private_network`,
    };
  }
  const address = addresses[0]!;
  return { ok: true, address, family: address.includes(':') ? 6 : 4, addresses };
}
