import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import { forwardedFor } from './forwarded.js';
import { memoized } from './memo.js';

/** Same meaning as Express's `trust proxy` setting. */
export type TrustProxy = boolean | number | string | string[] | ((addr: string, hopIndex: number) => boolean);

/** Decides whether the hop at `i` (0 = socket peer) is a proxy whose forwarding headers can be believed. */
export type TrustFn = (addr: string, i: number) => boolean;

let warnedTrustAll = false;

/** Compiles a `TrustProxy` setting like Express's own `compileTrust`, warning once if it trusts everything. */
export function compileTrust(trust: TrustProxy, warn: (message: string) => void): TrustFn {
  if (typeof trust === 'function') return trust;
  if (trust === true) {
    if (!warnedTrustAll) {
      warnedTrustAll = true;
      warn(
        'PERMISSIVE_TRUST_PROXY: trustProxy is true, which trusts every hop of X-Forwarded-For and Forwarded, ' +
          'so any client can record an arbitrary IP address in the audit trail just by sending that header. ' +
          'Set trustProxy to the number of proxies in front of the app (e.g. 1) or to their addresses ' +
          "(e.g. 'loopback, 10.0.0.0/8') instead.",
      );
    }
    return () => true;
  }
  if (typeof trust === 'number') return (_addr, i) => i < trust;
  if (trust === false) return () => false;
  return proxyaddr.compile(typeof trust === 'string' ? trust.split(',').map((entry) => entry.trim()) : trust);
}

type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * The client's address: walking from the socket peer towards the client
 * through the forwarding header's hops, the first one not trusted, or the
 * leftmost if all are. Null when there is no peer or that hop is not an IP
 * address, so header garbage never reaches the audit row. Header names are
 * expected in lower case, as Node and Koa provide them.
 */
export function clientIp(peer: string | undefined, headers: RequestHeaders, trust: TrustFn): string | null {
  if (peer === undefined) return null;
  const first = hostOf(peer);
  // Most peers are not trusted proxies: then the forwarding headers are never read.
  if (!trust(first, 0)) return canonicalIp(first);
  const chain = [first, ...forwardingHops(headers).reverse().map(hostOf)];
  let i = 0;
  // Only a trusted hop vouches for the next one; the peer (hop 0) was asked already.
  while (i < chain.length - 1 && (i === 0 || trust(chain[i]!, i))) i++;
  return canonicalIp(chain[i]!);
}

/** The proxy chain as the headers state it, client first. RFC 7239 `Forwarded` wins when present. */
function forwardingHops(headers: RequestHeaders): string[] {
  const forwarded = joined(headers['forwarded']);
  if (forwarded !== undefined) return forwardedFor(forwarded);
  const xff = joined(headers['x-forwarded-for']);
  if (xff === undefined) return [];
  return xff
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
}

function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Strips what proxies wrap around an address: IPv6 brackets and a port (`[::1]:80`, `1.2.3.4:80`). */
function hostOf(node: string): string {
  if (node.startsWith('[')) {
    const end = node.indexOf(']');
    return end === -1 ? node : node.slice(1, end);
  }
  const colon = node.indexOf(':');
  // A bare IPv6 address has several colons; exactly one means host:port.
  return colon !== -1 && colon === node.lastIndexOf(':') ? node.slice(0, colon) : node;
}

/**
 * RFC 5952 text for IPv6, dotted quad for IPv4 and IPv4-mapped IPv6; null when not an address.
 * Remembered: a keep-alive connection or a busy client sends the same address request after request,
 * and parsing an IPv6 form (`::ffff:10.0.0.7` on a dual-stack server) costs microseconds each time.
 */
const canonicalIp = memoized((host: string): string | null => {
  // A zone id (`fe80::1%eth0`) only names an interface on the server itself.
  const address = host.split('%', 1)[0]!;
  // node:net is strict where ipaddr.js would accept octal or 32-bit integer IPv4 forms.
  const family = isIP(address);
  if (family === 4) return address;
  if (family === 0) return null;
  const ip = ipaddr.process(address.replace(DOTTED_TAIL, hexGroups));
  // ipaddr.js 1.x implements toRFC5952String but its typings omit it; toString() may compress the wrong zero run.
  return ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6 & { toRFC5952String(): string }).toRFC5952String() : ip.toString();
});

// ipaddr.js 1.x parses a dotted IPv4 tail only after ::ffff:, not in `64:ff9b::1.2.3.4`.
const DOTTED_TAIL = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

function hexGroups(_tail: string, a: string, b: string, c: string, d: string): string {
  const group = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);
  return `${group(a, b)}:${group(c, d)}`;
}
