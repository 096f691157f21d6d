import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { badRequest } from './errors.js';

/**
 * Addresses a server-side fetch must not reach (SSRF): this machine, private networks, link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]; // IPv4-mapped IPv6
  if (mapped) return isInternalAddress(mapped);
  const family = isIP(address);
  return family === 0 || INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type FetchOptions = {
  /** Hosts (names or addresses, `FETCH_ALLOW_HOSTS`) that may be internal: a test server, an intranet feed. */
  allowHosts: readonly string[];
  maxBytes: number;
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** The request field named by the errors. */
  field: string;
};

const MAX_REDIRECTS = 5;

/**
 * GET over http(s) for content named by a user (a feed URL): every hop (redirects included) is
 * checked at connection time, so neither a redirect nor a DNS answer changed between check and
 * connect reaches an internal address. Errors are French 400s naming `field`, and one and the
 * same sentence for a refused address and an unreachable one: they tell nothing of which local
 * ports answer.
 */
export async function fetchPublic(url: string, options: FetchOptions): Promise<{ body: Buffer; contentType: string | undefined }> {
  let target = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const reply = await getOnce(target, options);
    if (!('location' in reply)) return reply;
    target = new URL(reply.location, target).toString();
  }
  throw badRequest("L'adresse redirige trop de fois.", options.field);
}

const unreachable = (field: string) => badRequest("L'adresse n'a pas pu être lue : elle n'est pas autorisée ou le site ne répond pas.", field);

function getOnce(url: string, options: FetchOptions): Promise<{ body: Buffer; contentType: string | undefined } | { location: string }> {
  const { field } = options;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(badRequest('Adresse invalide.', field));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return Promise.reject(badRequest('Seules les adresses http(s) sont acceptées.', field));
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = options.allowHosts.includes(host);
  if (!allowed && isIP(host) && isInternalAddress(host)) return Promise.reject(unreachable(field));
  const client = parsed.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(
      parsed,
      { headers: options.headers, timeout: options.timeoutMs ?? 20_000, lookup: allowed ? undefined : publicOnlyLookup },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400 && response.headers.location) {
          response.resume();
          return resolve({ location: response.headers.location });
        }
        if (status < 200 || status >= 300) {
          response.resume();
          return reject(badRequest(`L'adresse n'a pas pu être lue : le site répond ${status}.`, field));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            request.destroy();
            return reject(badRequest(`Le document dépasse ${Math.round(options.maxBytes / 1024 / 1024)} Mo.`, field));
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ body: Buffer.concat(chunks), contentType: response.headers['content-type'] }));
        response.on('error', () => reject(unreachable(field)));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => reject(unreachable(field)));
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses internal answers; used by the socket itself, so the address checked is the one connected to. */
function publicOnlyLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    if (!addresses.length || addresses.some((a) => isInternalAddress(a.address))) {
      return callback(Object.assign(new Error('internal address refused'), { code: 'EADDRNOTALLOWED' }), []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
