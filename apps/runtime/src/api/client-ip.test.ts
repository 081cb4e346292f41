import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { clientIp } from './client-ip.ts';

describe('clientIp', () => {
  let server: ReturnType<typeof serve>;
  let base: string;
  beforeAll(async () => {
    const app = new Hono();
    app.get('/ip', (c) => {
      const raw = c.req.query('trust');
      const trust = raw === undefined ? undefined : raw === 'true' ? true : Number(raw);
      return c.json({ ip: clientIp(c, trust) ?? null });
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const ip = async (query: string, forwarded?: string) => {
    const res = await fetch(`${base}/ip${query}`, {
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    });
    return ((await res.json()) as { ip: string | null }).ip;
  };

  it("takes the connection's address and ignores X-Forwarded-For unless proxies are trusted", async () => {
    expect(await ip('')).toBe('127.0.0.1');
    expect(await ip('', '203.0.113.7')).toBe('127.0.0.1');
    expect(await ip('?trust=0', '203.0.113.7')).toBe('127.0.0.1');
  });

  it('believes X-Forwarded-For only as many hops back as proxies are trusted', async () => {
    // A client forged the first entry; the one trusted proxy appended what it saw.
    expect(await ip('?trust=1', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(await ip('?trust=2', '198.51.100.1, 203.0.113.7, 10.0.0.2')).toBe('203.0.113.7');
    expect(await ip('?trust=5', '203.0.113.7, 10.0.0.2')).toBe('203.0.113.7');
    expect(await ip('?trust=true', '198.51.100.1, 203.0.113.7')).toBe('198.51.100.1');
    expect(await ip('?trust=1')).toBe('127.0.0.1');
  });

  it('has no address for a request made in process', async () => {
    const app = new Hono().get('/', (c) => c.json({ ip: clientIp(c, 1) ?? null }));
    expect(await (await app.request('/')).json()).toEqual({ ip: null });
  });

  it('reads WAYMARK_TRUST_PROXY as true, a number of hops or nothing, and names it when wrong', () => {
    const trust = (v: string | undefined) => readConfig({ WAYMARK_TRUST_PROXY: v }, '/nonexistent').trustProxy;
    expect(trust(undefined)).toBeUndefined();
    expect(trust('false')).toBeUndefined();
    expect(trust('0')).toBeUndefined();
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(() => trust('yes please')).toThrow(/WAYMARK_TRUST_PROXY/);
  });
});
