import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { Liquid } from 'liquidjs';
import { guardedLookup, isPublicAddress } from './ssrf-guard.ts';

const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true });

/** What a webhook call returned; `ok` for 2xx. A `retryable` error is worth trying again later. */
export interface WebhookOutcome {
  ok: boolean;
  status?: number;
  error?: { code: string; message: string; retryable?: boolean };
}

/** Statuses that say "not now" rather than "no": the call is tried again with backoff. */
const temporaryStatus = (status: number) => status === 408 || status === 429 || status >= 500;
/** Connection failures that may pass; a refused address or a bad URL will not. */
const temporaryRequestCodes = new Set(['timeout', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);

/** A webhook as the outbox holds it. */
export interface WebhookRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Calls a webhook with merge tags filled from the contact, refusing internal addresses (unless
 * allowed), with a time limit and a capped response size.
 */
export async function callWebhook(
  req: WebhookRequest,
  context: { contact: Record<string, unknown> },
  options: { allowPrivate: boolean; timeoutMs?: number },
): Promise<WebhookOutcome> {
  let body: string | undefined;
  try {
    body = req.body === undefined ? undefined : await liquid.parseAndRender(req.body, context);
  } catch (e) {
    return { ok: false, error: { code: 'template_error', message: `body: ${(e as Error).message}` } };
  }
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { ok: false, error: { code: 'invalid_url', message: `url: not a URL` } };
  }
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  // An address written as an IP literal never goes through DNS, so the lookup guard cannot see it.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && ipaddr.isValid(literal) && !isPublicAddress(literal))
    return {
      ok: false,
      error: {
        code: 'webhook_address_blocked',
        message: `${literal} is an internal address; webhooks may only call public addresses`,
      },
    };
  if (!client) return { ok: false, error: { code: 'invalid_url', message: 'url: only http and https are allowed' } };
  return new Promise<WebhookOutcome>((resolve) => {
    const request = client.request(
      url,
      {
        method: req.method,
        headers: { 'content-type': 'application/json', 'user-agent': 'Waymark-Webhook/1', ...(req.headers ?? {}) },
        lookup: guardedLookup(options.allowPrivate) as never,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > 64 * 1024) res.destroy();
        });
        res.on('close', () => {
          const status = res.statusCode ?? 0;
          resolve(
            status >= 200 && status < 300
              ? { ok: true, status }
              : {
                  ok: false,
                  status,
                  error: {
                    code: 'http_status',
                    message: `the endpoint answered ${status}`,
                    ...(temporaryStatus(status) ? { retryable: true } : {}),
                  },
                },
          );
        });
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'timeout' })));
    request.on('error', (e: Error & { code?: string }) =>
      resolve({
        ok: false,
        error: {
          code:
            e.code === 'webhook_address_blocked' || e.name === 'BlockedAddressError'
              ? 'webhook_address_blocked'
              : (e.code ?? 'request_failed'),
          message: e.message,
          ...(e.code !== undefined && temporaryRequestCodes.has(e.code) ? { retryable: true } : {}),
        },
      }),
    );
    if (body !== undefined) request.write(body);
    request.end();
  });
}
