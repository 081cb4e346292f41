import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { BlockedAddressError, guardedLookup, isPublicAddress } from './ssrf-guard.ts';

/** How package executors may reach the network. */
export interface GuardedFetchOptions {
  /** Allow loopback and private addresses (tests, trusted on-premises installs). */
  allowPrivate: boolean;
  /** Largest response body read, in bytes; a larger one fails the request. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** A request refused or cut short by the guard, with a stable code executors keep. */
export class GuardedFetchError extends Error {
  override readonly name = 'GuardedFetchError';
  constructor(
    readonly code: 'address_blocked' | 'invalid_url' | 'response_too_large',
    message: string,
  ) {
    super(message);
  }
}

const bodyless = new Set([101, 204, 205, 304]);

/**
 * Why a URL whose host is an IP address may not be called, if it may not. Node connects to IP
 * literals without a DNS lookup, so the connect-time guard of {@link guardedLookup} never sees them.
 */
export function blockedLiteralAddress(url: URL, allowPrivate: boolean): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (allowPrivate || isIP(host) === 0 || isPublicAddress(host)) return undefined;
  return `${host} is an internal address; only public addresses may be called`;
}

/**
 * A `fetch` for node-package executors with the same protection as the built-in webhook: it
 * connects only to public addresses (checked at connect time, so DNS rebinding cannot slip through),
 * speaks http and https only, does not follow redirects (a 3xx is returned as it is), honours the
 * request's abort signal and caps the response size.
 */
export function createGuardedFetch(options: GuardedFetchOptions): typeof globalThis.fetch {
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  const lookup = guardedLookup(options.allowPrivate);
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!client)
      throw new GuardedFetchError('invalid_url', `only http and https URLs may be fetched, not ${url.protocol}`);
    const blocked = blockedLiteralAddress(url, options.allowPrivate);
    if (blocked) throw new GuardedFetchError('address_blocked', blocked);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const signal = request.signal;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    signal.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: request.method,
          headers,
          lookup: lookup as never,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              res.destroy(
                new GuardedFetchError('response_too_large', `the response from ${url.host} is over ${maxBytes} bytes`),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
            }
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 599) {
              reject(new Error(`${url.host} answered with status ${status}`));
              return;
            }
            resolve(
              new Response(bodyless.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers,
              }),
            );
          });
        },
      );
      req.on('error', (e: Error & { code?: string }) =>
        reject(e instanceof BlockedAddressError ? new GuardedFetchError('address_blocked', e.message) : e),
      );
      if (body !== undefined) req.write(body);
      req.end();
    });
  };
}
