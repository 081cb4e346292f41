import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch, GuardedFetchError } from './guarded-fetch.ts';

describe('createGuardedFetch', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/redirect') {
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
        } else if (req.url === '/big') {
          res.writeHead(200).end('x'.repeat(2_048));
        } else if (req.url === '/hang') {
          // never answers
        } else if (req.url === '/empty') {
          res.writeHead(204).end();
        } else {
          res.writeHead(201, { 'content-type': 'text/plain', 'x-answer': '42' }).end(`got ${body}`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const open = createGuardedFetch({ allowPrivate: true, maxResponseBytes: 1_024 });

  it('refuses loopback and private addresses unless allowed', async () => {
    const guarded = createGuardedFetch({ allowPrivate: false });
    const error = await guarded(`${base}/x`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GuardedFetchError);
    expect(error).toMatchObject({ code: 'address_blocked', message: expect.stringContaining('internal address') });
    for (const url of [
      'http://localhost:1/x',
      'http://[::1]:1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://2130706433/x',
      'http://10.0.0.1/x',
    ])
      await expect(guarded(url), url).rejects.toMatchObject({ code: 'address_blocked' });
    expect(seen.filter((s) => s.url === '/x')).toEqual([]);
  });

  it('sends method, headers and body, and answers with a standard Response', async () => {
    const res = await open(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-answer')).toBe('42');
    expect(await res.text()).toBe('got {"a":1}');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', headers: { 'idempotency-key': 'k1' }, body: '{"a":1}' });
  });

  it('accepts a Request and answers a bodiless status', async () => {
    const res = await open(new Request(`${base}/empty`, { method: 'DELETE' }));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('does not follow redirects', async () => {
    const res = await open(`${base}/redirect`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain('169.254.169.254');
  });

  it('fails a response over the size cap', async () => {
    await expect(open(`${base}/big`)).rejects.toMatchObject({ code: 'response_too_large' });
  });

  it('stops at the abort signal', async () => {
    const started = Date.now();
    await expect(open(`${base}/hang`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('speaks http and https only', async () => {
    await expect(open('ftp://files.example.test/x')).rejects.toMatchObject({ code: 'invalid_url' });
  });
});
