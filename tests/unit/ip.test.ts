import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  classifyAddress,
  isAddressInRanges,
  isIpAddress,
  isMetadataHostname,
  isValidCidr,
  parseCidr,
} from '../../src/core/ip.js';

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
  ])('classifies the IPv4 address %s as %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each([
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'metadata'],
    ['2001:db8::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['[::1]', 'loopback'],
  ])('classifies the IPv6 address %s as %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['::a9fe:a9fe', 'metadata'],
    ['::8.8.8.8', 'reserved'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::a9fe:a9fe', 'metadata'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:0808:0808::1', 'public'],
  ])('classifies %s by the IPv4 address embedded in it (%s)', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each([
    ['2130706433', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0xa9.0xfe.0xa9.0xfe', 'metadata'],
  ])('classifies the non-canonical IPv4 form %s as %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it('classifies text that is not an address as reserved so callers fail closed', () => {
    expect(classifyAddress('example.com')).toBe('reserved');
    expect(classifyAddress('')).toBe('reserved');
    expect(isIpAddress('example.com')).toBe(false);
    expect(isIpAddress('::1')).toBe(true);
  });
});

describe('URL parsing of numeric hosts', () => {
  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
  ])('normalizes %s to the host %s, which classifies as loopback', (url, host) => {
    const hostname = new URL(url).hostname;
    expect(hostname).toBe(host);
    expect(classifyAddress(hostname)).toBe('loopback');
  });
});

describe('isAddressInRanges', () => {
  it('matches addresses inside IPv4 and IPv6 ranges and nothing else', () => {
    expect(isAddressInRanges('127.0.0.1', ['127.0.0.1/32'])).toBe(true);
    expect(isAddressInRanges('127.0.0.2', ['127.0.0.1/32'])).toBe(false);
    expect(isAddressInRanges('10.2.3.4', ['192.168.0.0/16', '10.0.0.0/8'])).toBe(true);
    expect(isAddressInRanges('fd00::5', ['fd00::/8'])).toBe(true);
    expect(isAddressInRanges('fe80::5', ['fd00::/8'])).toBe(false);
  });

  it('matches an IPv4-mapped IPv6 address against IPv4 ranges and the reverse', () => {
    expect(isAddressInRanges('::ffff:127.0.0.1', ['127.0.0.0/8'])).toBe(true);
    expect(isAddressInRanges('127.0.0.1', ['::ffff:127.0.0.0/104'])).toBe(true);
    expect(isAddressInRanges('::1', ['127.0.0.0/8'])).toBe(false);
  });

  it('treats a bare address as a single-address range', () => {
    expect(isAddressInRanges('192.168.1.7', ['192.168.1.7'])).toBe(true);
    expect(isAddressInRanges('192.168.1.8', ['192.168.1.7'])).toBe(false);
  });

  it('grants nothing with an empty list or a non-address', () => {
    expect(isAddressInRanges('127.0.0.1', [])).toBe(false);
    expect(isAddressInRanges('localhost', ['127.0.0.0/8'])).toBe(false);
  });

  it('throws a UsageError naming a malformed range', () => {
    expect(() => isAddressInRanges('10.0.0.1', ['10.0.0.0/33'])).toThrow(UsageError);
    expect(() => parseCidr('not-a-range')).toThrow('invalid CIDR range "not-a-range"');
    expect(isValidCidr('10.0.0.0/8')).toBe(true);
    expect(isValidCidr('10.0.0.0/99')).toBe(false);
  });
});

describe('isMetadataHostname', () => {
  it('recognizes metadata host names in any case and with a trailing dot', () => {
    expect(isMetadataHostname('metadata.google.internal')).toBe(true);
    expect(isMetadataHostname('METADATA.google.internal.')).toBe(true);
    expect(isMetadataHostname('example.com')).toBe(false);
  });
});
