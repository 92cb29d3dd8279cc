import { describe, it, expect, vi } from 'vitest';
import proxyaddr from 'proxy-addr';
import { clientIp, compileTrust } from '../../src/capture/client-ip.js';
import type { TrustProxy } from '../../src/capture/client-ip.js';

const noWarn = () => {};
const trust = (setting: TrustProxy) => compileTrust(setting, noWarn);
const xff = (value: string | string[]) => ({ 'x-forwarded-for': value });
const fwd = (value: string | string[]) => ({ forwarded: value });

describe('clientIp', () => {
  it('is null without a peer', () => {
    expect(clientIp(undefined, xff('203.0.113.7'), trust(true))).toBeNull();
  });

  it('ignores forwarding headers when nothing is trusted', () => {
    expect(clientIp('198.51.100.4', xff('203.0.113.7'), trust(false))).toBe('198.51.100.4');
    expect(clientIp('127.0.0.1', fwd('for=203.0.113.7'), trust(false))).toBe('127.0.0.1');
  });

  it('ignores a spoofed X-Forwarded-For from an untrusted peer', () => {
    expect(clientIp('198.51.100.4', xff('1.2.3.4'), trust('loopback'))).toBe('198.51.100.4');
  });

  it('believes X-Forwarded-For from a trusted proxy', () => {
    expect(clientIp('127.0.0.1', xff('203.0.113.7'), trust('loopback'))).toBe('203.0.113.7');
    expect(clientIp('::ffff:127.0.0.1', xff('203.0.113.7'), trust('loopback'))).toBe('203.0.113.7');
  });

  it('stops at the address the trusted proxy saw, not what the client claimed', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the real peer.
    expect(clientIp('127.0.0.1', xff('6.6.6.6, 203.0.113.7'), trust('loopback'))).toBe('203.0.113.7');
  });

  it('trusts exactly the configured number of hops', () => {
    const headers = xff('203.0.113.1, 198.51.100.2, 192.0.2.3');
    expect(clientIp('10.0.0.1', headers, trust(0))).toBe('10.0.0.1');
    expect(clientIp('10.0.0.1', headers, trust(1))).toBe('192.0.2.3');
    expect(clientIp('10.0.0.1', headers, trust(2))).toBe('198.51.100.2');
    expect(clientIp('10.0.0.1', headers, trust(3))).toBe('203.0.113.1');
    expect(clientIp('10.0.0.1', headers, trust(10))).toBe('203.0.113.1');
  });

  it('walks a CIDR list given as CSV or array', () => {
    const headers = xff('203.0.113.9, 198.51.100.1, 172.16.5.4');
    for (const setting of ['10.0.0.0/8, 172.16.0.0/12', ['10.0.0.0/8', '172.16.0.0/12']]) {
      expect(clientIp('10.1.2.3', headers, trust(setting))).toBe('198.51.100.1');
    }
    expect(clientIp('10.1.2.3', headers, trust('10.0.0.0/8, 172.16.0.0/12, 198.51.100.0/24'))).toBe('203.0.113.9');
  });

  it('understands the named ranges', () => {
    const headers = xff('203.0.113.9, 192.168.1.10');
    expect(clientIp('127.0.0.1', headers, trust('loopback, uniquelocal'))).toBe('203.0.113.9');
    expect(clientIp('fe80::1%eth0', headers, trust(['linklocal', 'uniquelocal']))).toBe('203.0.113.9');
  });

  it('is the leftmost address when every hop is trusted', () => {
    expect(clientIp('10.0.0.1', xff('203.0.113.9, 10.0.0.2'), trust(true))).toBe('203.0.113.9');
  });

  it('joins repeated X-Forwarded-For headers and tolerates empty entries', () => {
    const headers = xff(['203.0.113.9, 10.0.0.3', ' , 10.0.0.2 ,']);
    expect(clientIp('10.0.0.1', headers, trust('10.0.0.0/8'))).toBe('203.0.113.9');
  });

  it('strips ports that some proxies append', () => {
    expect(clientIp('127.0.0.1', xff('203.0.113.9:51234'), trust('loopback'))).toBe('203.0.113.9');
    expect(clientIp('127.0.0.1', xff('[2001:db8::9]:51234'), trust('loopback'))).toBe('2001:db8::9');
  });

  describe('with Forwarded', () => {
    it('reads quoted, bracketed IPv6 with a port', () => {
      expect(clientIp('::1', fwd('for="[2001:DB8:cafe::17]:4711"'), trust('loopback'))).toBe('2001:db8:cafe::17');
    });

    it('reads quoted IPv4 with a port', () => {
      expect(clientIp('127.0.0.1', fwd('for="192.0.2.60:8080";proto=https'), trust('loopback'))).toBe('192.0.2.60');
    });

    it('walks several elements and header lines right to left', () => {
      const headers = fwd(['for=203.0.113.9;proto=https, For="[fd00::5]:80"', 'for=10.0.0.2']);
      expect(clientIp('10.0.0.1', headers, trust('uniquelocal'))).toBe('203.0.113.9');
      expect(clientIp('10.0.0.1', headers, trust(2))).toBe('fd00::5');
    });

    it('wins over X-Forwarded-For', () => {
      const headers = { ...xff('198.51.100.66'), ...fwd('for=203.0.113.9') };
      expect(clientIp('127.0.0.1', headers, trust('loopback'))).toBe('203.0.113.9');
    });

    it('is null when the client hop is unknown or obfuscated', () => {
      expect(clientIp('127.0.0.1', fwd('for=unknown'), trust('loopback'))).toBeNull();
      expect(clientIp('127.0.0.1', fwd('for=_hidden, for=10.0.0.2'), trust('loopback, uniquelocal'))).toBeNull();
      expect(clientIp('127.0.0.1', fwd('proto=https'), trust('loopback'))).toBeNull();
    });
  });

  it('returns null, never header garbage, when the first untrusted hop is not an address', () => {
    expect(clientIp('127.0.0.1', xff('<script>alert(1)</script>'), trust('loopback'))).toBeNull();
    expect(clientIp('127.0.0.1', xff('203.0.113.9, not-an-ip'), trust('loopback'))).toBeNull();
    expect(clientIp('127.0.0.1', xff('1.2.3'), trust('loopback'))).toBeNull();
    expect(clientIp('127.0.0.1', xff('x'.repeat(10_000)), trust('loopback'))).toBeNull();
    expect(clientIp('10.0.0.1', xff('garbage, 10.0.0.2'), trust(true))).toBeNull();
  });

  it('rejects legacy IPv4 spellings that would read as a different address', () => {
    expect(clientIp('127.0.0.1', xff('010.0.0.1'), trust('loopback'))).toBeNull();
    expect(clientIp('127.0.0.1', xff('2130706433'), trust('loopback'))).toBeNull();
    expect(clientIp('127.0.0.1', xff('0x7f.0.0.1'), trust('loopback'))).toBeNull();
  });

  it('is null for a peer that is not an address', () => {
    expect(clientIp('', {}, trust(false))).toBeNull();
  });

  describe('canonical form', () => {
    it('unwraps IPv4-mapped IPv6', () => {
      expect(clientIp('::ffff:1.2.3.4', {}, trust(false))).toBe('1.2.3.4');
      expect(clientIp('::FFFF:7f00:1', {}, trust(false))).toBe('127.0.0.1');
      expect(clientIp('127.0.0.1', xff('::ffff:203.0.113.5'), trust('loopback'))).toBe('203.0.113.5');
    });

    it('writes IPv6 in RFC 5952 form', () => {
      expect(clientIp('2001:0DB8:0000:0000:0000:0000:0000:0001', {}, trust(false))).toBe('2001:db8::1');
      expect(clientIp('2001:db8:0:1:0:0:0:1', {}, trust(false))).toBe('2001:db8:0:1::1');
      expect(clientIp('2001:db8:0:0:1:0:0:1', {}, trust(false))).toBe('2001:db8::1:0:0:1');
      expect(clientIp('2001:db8:0:1:1:1:1:1', {}, trust(false))).toBe('2001:db8:0:1:1:1:1:1');
      expect(clientIp('0:0:0:0:0:0:0:1', {}, trust(false))).toBe('::1');
    });

    it('turns an embedded dotted IPv4 tail into hex', () => {
      expect(clientIp('64:ff9b::192.0.2.33', {}, trust(false))).toBe('64:ff9b::c000:221');
    });

    it('drops IPv6 zone ids', () => {
      expect(clientIp('fe80::1%eth0', {}, trust(false))).toBe('fe80::1');
      expect(clientIp('127.0.0.1', fwd('for="[fe80::2%25eth1]"'), trust('loopback'))).toBe('fe80::2');
    });
  });

  it('asks the trust function about each hop in order with its index, as proxy-addr does', () => {
    const seen: Array<[string, number]> = [];
    const realTrust = proxyaddr.compile(['loopback', '10.0.0.0/8']);
    const recording = (addr: string, i: number) => {
      seen.push([addr, i]);
      return realTrust(addr, i);
    };
    const headers = fwd('for=203.0.113.9, for="[::ffff:10.0.0.3]:80", for="10.0.0.2:443"');
    expect(clientIp('::ffff:127.0.0.1', headers, compileTrust(recording, noWarn))).toBe('203.0.113.9');
    expect(seen).toEqual([
      ['::ffff:127.0.0.1', 0],
      ['10.0.0.2', 1],
      ['::ffff:10.0.0.3', 2],
    ]);
  });
});

describe('compileTrust', () => {
  it('passes a function through', () => {
    const fn = (_addr: string, i: number) => i === 0;
    expect(compileTrust(fn, noWarn)).toBe(fn);
  });

  it('trusts nothing for false and everything for true', () => {
    expect(trust(false)('127.0.0.1', 0)).toBe(false);
    expect(trust(true)('203.0.113.9', 5)).toBe(true);
  });

  it('trusts hop indices below a count', () => {
    const two = trust(2);
    expect([0, 1, 2].map((i) => two('203.0.113.9', i))).toEqual([true, true, false]);
  });

  it('matches proxy-addr for addresses, CIDRs and named ranges', () => {
    const fromCsv = trust(' loopback ,10.0.0.0/8, 2001:db8::/32');
    const reference = proxyaddr.compile(['loopback', '10.0.0.0/8', '2001:db8::/32']);
    for (const addr of ['127.0.0.1', '::1', '10.9.9.9', '11.0.0.1', '2001:db8::1', '2001:db9::1', '::ffff:10.0.0.1', 'junk']) {
      expect(fromCsv(addr, 0)).toBe(reference(addr, 0));
    }
  });

  it('rejects an invalid address list at configuration time', () => {
    expect(() => trust('not-an-ip')).toThrow(TypeError);
  });

  it('warns once per process that trusting every hop lets clients spoof their IP', async () => {
    vi.resetModules();
    const fresh = await import('../../src/capture/client-ip.js');
    const warn = vi.fn();
    fresh.compileTrust(true, warn);
    fresh.compileTrust(true, warn);
    const otherWarn = vi.fn();
    fresh.compileTrust(true, otherWarn);
    fresh.compileTrust(1, otherWarn);
    fresh.compileTrust('loopback', otherWarn);

    expect(warn).toHaveBeenCalledTimes(1);
    expect(otherWarn).not.toHaveBeenCalled();
    const [message] = warn.mock.calls[0]!;
    expect(message).toMatch(/trustProxy is true/);
    expect(message).toMatch(/spoof|arbitrary IP/i);
    expect(message).toMatch(/number of proxies/);
  });
});
