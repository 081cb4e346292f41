import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from './errors.ts';
import { fetchWithIdleTimeout } from './hub-fetch.ts';
import { createModels } from './models.ts';
import { testModelsDir } from './settings.ts';

const request = { brief: 'wireless headphones', tone: 'promotional', variants: 2, maxLength: 50 };

/** A local HTTP server; `requests` counts what reached it. */
async function listen(handler: Parameters<typeof createServer>[1]) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: one the system just handed out and that was closed again. */
async function closedPort(): Promise<string> {
  const s = await listen(() => {});
  await s.close();
  return s.url;
}

describe('models from the hub without a models folder', () => {
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'waymark-hub-cache-'));
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('fails with model_unavailable naming the model, the hub and WAYMARK_MODELS_DIR when the hub cannot be reached', async () => {
    const host = await closedPort();
    const models = createModels({ threads: 0, hub: { host, cacheDir: cache } });
    try {
      const error = await models.sentiment.classify(['hello']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).code).toBe('model_unavailable');
      const message = (error as ModelError).message;
      expect(message).toContain('"Xenova/distilbert-base-uncased-finetuned-sst-2-english"');
      expect(message).toContain('WAYMARK_MODELS_DIR');
      expect(message).toContain('packages/models/test-models');
      expect(message).toContain(host);
      await expect(models.subjects.generate(request)).rejects.toMatchObject({
        code: 'model_unavailable',
        message: expect.stringContaining('"Xenova/LaMini-Flan-T5-77M"'),
      });
    } finally {
      await models.close();
    }
  }, 30_000);

  it('gives up on a hub that accepts the connection but never answers', async () => {
    const silent = await listen(() => {});
    const models = createModels({ threads: 0, hub: { host: silent.url, cacheDir: cache, idleTimeoutMs: 300 } });
    try {
      await expect(models.sentiment.classify(['hello'])).rejects.toMatchObject({
        code: 'model_unavailable',
        message: expect.stringContaining('no data from 127.0.0.1'),
      });
    } finally {
      await models.close();
      await silent.close();
    }
  }, 30_000);

  it('downloads nothing when offline, and says so', async () => {
    let requests = 0;
    const hub = await listen((_req, res) => {
      requests++;
      res.writeHead(404).end();
    });
    const models = createModels({ threads: 0, hub: { host: hub.url, cacheDir: cache, offline: true } });
    try {
      await expect(models.sentiment.classify(['hello'])).rejects.toMatchObject({
        code: 'model_unavailable',
        message: expect.stringMatching(/WAYMARK_MODELS_OFFLINE.*WAYMARK_MODELS_DIR/s),
      });
      expect(requests).toBe(0);
    } finally {
      await models.close();
      await hub.close();
    }
  }, 30_000);

  it('loads a model already in the cache when offline', async () => {
    // The cache holds one sub-folder per model, like the test models folder.
    const models = createModels({
      threads: 0,
      sentiment: 'email-tone-tiny-bert',
      subjects: 'subject-line-tiny-gpt2',
      hub: { host: await closedPort(), cacheDir: testModelsDir, offline: true },
    });
    try {
      const [result] = await models.sentiment.classify(['We are thrilled to welcome you!']);
      expect(result?.label).toBe('POSITIVE');
    } finally {
      await models.close();
    }
  }, 30_000);
});

describe('fetchWithIdleTimeout', () => {
  it('passes a complete answer through', async () => {
    const server = await listen((_req, res) => res.end('all of it'));
    try {
      const res = await fetchWithIdleTimeout(5_000)(server.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('all of it');
    } finally {
      await server.close();
    }
  });

  it('aborts a body that stops arriving, naming the host', async () => {
    const server = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('part');
    });
    try {
      const res = await fetchWithIdleTimeout(300)(server.url);
      await expect(res.text()).rejects.toThrow(/no data from 127\.0\.0\.1:\d+ for 300 ms/);
    } finally {
      await server.close();
    }
  });
});
