import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Where the server may send webhooks (case and alarm webhooks, EPCIS query subscriptions).
 *
 * A webhook URL is chosen by a user, so without a guard it reaches whatever the server can reach:
 * the cloud's metadata service (169.254.169.254), the database's and the broker's ports on
 * localhost, the district's intranet — and its delivery log (status, error) would tell the user
 * what answered (server-side request forgery). By default a webhook may therefore go only to
 * public addresses. An operator whose receivers sit on the intranet (the 12345 hotline system on
 * 10.x, say) names them in `WEBHOOK_ALLOW`: host names, addresses or CIDR ranges.
 *
 * The check is made twice: when a URL is registered (scheme, literal addresses, `localhost`: a
 * clear 400 at once), and when a delivery connects — on every address the host name resolves to,
 * at connect time, so a name that later resolves to a private address (DNS rebinding) is refused
 * too. Redirects are never followed.
 */
export type OutboundPolicy = {
  /** Why `url` may not be registered, in Chinese and English; undefined when it may. */
  refusal(url: string): string | undefined;
  /** POSTs `body` to `url` within the policy; resolves with the HTTP status (the answer's body is discarded). */
  post(url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number }): Promise<number>;
};

/** Ranges no webhook may reach unless allowed: local, private, link-local, shared, documentation, multicast, reserved. */
const SPECIAL_RANGES: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const special = new net.BlockList();
for (const [address, prefix, family] of SPECIAL_RANGES) special.addSubnet(address, prefix, family);

/** An IPv6 address carrying an IPv4 one (`::ffff:127.0.0.1`) is checked as that IPv4 address. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: net.isIPv4(address) ? 'ipv4' : 'ipv6' };
}

/** `WEBHOOK_ALLOW` entries: host names (exact, any case), addresses, CIDR ranges. Throws on a malformed range. */
function allowList(entries: readonly string[]): { hosts: Set<string>; addresses: net.BlockList } {
  const hosts = new Set<string>();
  const addresses = new net.BlockList();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
    if (!family) {
      if (prefix !== undefined) throw new Error(`WEBHOOK_ALLOW: "${raw}" is not an address range`);
      hosts.add(entry);
    } else if (prefix === undefined) addresses.addAddress(address, family);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 'ipv4' ? 32 : 128))
        throw new Error(`WEBHOOK_ALLOW: "${raw}" has no valid prefix length`);
      addresses.addSubnet(address, bits, family);
    }
  }
  return { hosts, addresses };
}

/** The host of a URL as a name or a bare address (IPv6 without its brackets). */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** Resolves a host name to all its addresses (`dns.lookup`; tests give their own). */
export type Resolver = (
  hostname: string,
  family: number | undefined,
  callback: (err: NodeJS.ErrnoException | null, found: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, family, callback) =>
  dns.lookup(hostname, { all: true, family: family ?? 0 }, callback);

/** A policy that allows public addresses and the `allow` entries (see `WEBHOOK_ALLOW`). */
export function outboundPolicy(allow: readonly string[], resolveHost: Resolver = systemResolver): OutboundPolicy {
  const allowed = allowList(allow);
  /** Why a resolved (or literal) address may not be reached; undefined when it may. */
  const addressRefusal = (host: string, raw: string): string | undefined => {
    if (allowed.hosts.has(host)) return undefined;
    const { address, family } = unmapped(raw);
    if (allowed.addresses.check(address, family) || !special.check(address, family)) return undefined;
    return `目标地址 ${address} 属于本机、内网或保留地址，未列入 WEBHOOK_ALLOW（the address ${address} is local, private or reserved and not in WEBHOOK_ALLOW）`;
  };

  const refusal = (text: string): string | undefined => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return '不是有效的 URL（not a URL）';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return '只支持 http 和 https（http or https only）';
    if (url.username || url.password) return 'URL 中不能带用户名或密码（no credentials in the URL）';
    const host = hostOf(url);
    if (net.isIP(host)) return addressRefusal(host, host);
    if (allowed.hosts.has(host)) return undefined;
    if (host === 'localhost' || host.endsWith('.localhost'))
      return `目标主机 ${host} 是本机，未列入 WEBHOOK_ALLOW（${host} is this machine and not in WEBHOOK_ALLOW）`;
    return undefined;
  };

  const post: OutboundPolicy['post'] = (text, init) =>
    new Promise<number>((resolve, reject) => {
      const why = refusal(text);
      if (why) {
        reject(new Error(why));
        return;
      }
      const url = new URL(text);
      const host = hostOf(url);
      // Every address a name resolves to is checked when the connection is made, and only those are used.
      const lookup = (
        hostname: string,
        options: dns.LookupOptions,
        callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
      ) => {
        resolveHost(hostname, typeof options.family === 'number' ? options.family : undefined, (err, found) => {
          if (err) return callback(err, '', 0);
          for (const a of found) {
            const refused = addressRefusal(host, a.address);
            if (refused) return callback(Object.assign(new Error(refused), { code: 'EADDRNOTALLOWED' }), '', 0);
          }
          if (options.all) return callback(null, found);
          const first = found[0] as LookupAddress;
          return callback(null, first.address, first.family);
        });
      };
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          headers: { ...init.headers, 'content-length': Buffer.byteLength(init.body) },
          lookup: lookup as unknown as net.LookupFunction,
          signal: AbortSignal.timeout(init.timeoutMs),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(init.body);
    });

  return { refusal, post };
}
