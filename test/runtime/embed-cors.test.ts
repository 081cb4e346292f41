import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

describe('CORS for host pages that embed the editor', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime('pglite', { embedOrigins: ['https://app.vendor.example'] });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('answers the preflight of a configured origin and lets its editor token through', async () => {
    const preflight = await fetch(`${t.url}/v1/journeys`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.vendor.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.vendor.example');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const token = await t.api<{ token: string }>('POST', '/v1/editor-tokens', { access: 'read' });
    const res = await fetch(`${t.url}/v1/journeys`, {
      headers: { origin: 'https://app.vendor.example', authorization: `Bearer ${token.body.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.vendor.example');
  });

  it('gives other origins no CORS grant', async () => {
    const res = await fetch(`${t.url}/v1/journeys`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
