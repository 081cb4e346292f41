import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import type { NodeRegistry } from '@waymark/nodes';
import { loadAiProvider, type ModelsAiProvider } from './ai/models-provider.ts';
import type { AiProvider } from './ai/provider.ts';
import { createApp } from './api/app.ts';
import { issueEditorToken, redeemSignInToken } from './api/auth.ts';
import { startAudience } from './audience/worker.ts';
import { createSignInToken, ensureDefaultWorkspace, installationOwner, loadSecrets } from './bootstrap.ts';
import type { RuntimeConfig } from './config.ts';
import { connectPostgres, type Database, openPglite } from './db/client.ts';
import { createDelivery, type DeliveryOptions } from './delivery/worker.ts';
import { devInboxPageRoutes } from './dev-smtp/inbox-page.ts';
import { startDevSmtp } from './dev-smtp/server.ts';
import { createEffectsWorker } from './effects/worker.ts';
import { createLogger, type Logger, redactUrl } from './logger.ts';
import { loadRegistry } from './node-packages.ts';
import { Engine } from './scheduler/engine.ts';
import { JourneyCache } from './scheduler/journey-cache.ts';
import { startScheduler } from './scheduler/worker.ts';
import type { Services } from './services.ts';
import { trackingRoutes } from './tracking/routes.ts';

/** A running Waymark runtime. */
export interface RunningRuntime {
  url: string;
  services: Services;
  engine: Engine;
  /** The default workspace's first API key, when it was generated at this start. */
  apiKey: string | undefined;
  signInUrl: string;
  stop(): Promise<void>;
}

/** Optional parts a caller (tests, embedding) may supply instead of the defaults. */
export interface RuntimeOverrides {
  database?: Database;
  registry?: NodeRegistry;
  log?: Logger;
  ai?: AiProvider;
  allowPrivateWebhooks?: boolean;
  /** Tuning of the delivery worker (tests shorten retries and leases). */
  delivery?: Omit<DeliveryOptions, 'smtpUrl'>;
  /** The clock of the live audience (segment windows, date triggers, RFM recency): tests move it. */
  clock?: () => number;
}

const defaultEditorDir = fileURLToPath(new URL('../../editor/dist', import.meta.url));

/** Starts the runtime: database and migrations, API, scheduler, delivery and (without SMTP_URL) the dev SMTP sink. */
export async function startRuntime(config: RuntimeConfig, overrides: RuntimeOverrides = {}): Promise<RunningRuntime> {
  const log = overrides.log ?? createLogger(config.logLevel);
  if (config.configFile) log.info('configuration file read', { file: config.configFile });
  // Node packages load first: a broken one stops the start before anything else happens.
  const registry =
    overrides.registry ??
    (await loadRegistry(config.nodePackages, config.nodePackagesDir ? { cwd: config.nodePackagesDir } : {}));
  const database =
    overrides.database ??
    (config.databaseUrl
      ? await connectPostgres(config.databaseUrl)
      : await openPglite(config.dataDir, {
          onMaintenanceError: (err) => log.warn('analysing or vacuuming the PGlite tables failed', { err }),
        }));
  log.info('database ready', {
    kind: database.kind,
    where: config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir,
  });
  const db = database.db;
  const secrets = await loadSecrets(db);
  const boot = await ensureDefaultWorkspace(db, config.apiKey);
  const loadedAi: ModelsAiProvider | undefined = overrides.ai ? undefined : await loadAiProvider(config, log);
  const ai = overrides.ai ?? loadedAi;

  const devSmtp = config.smtpUrl
    ? undefined
    : await startDevSmtp(db, { port: config.devSmtpPort, secret: secrets.links, log });
  let schedulerPoke = () => {};
  let deliveryPoke = () => {};
  const services: Services = {
    config,
    database,
    db,
    registry,
    secrets,
    log,
    smtpUrl: config.smtpUrl ?? `smtp://127.0.0.1:${devSmtp?.port}`,
    wake: { scheduler: () => schedulerPoke(), delivery: () => deliveryPoke(), origin: randomUUID() },
    ai,
    clock: overrides.clock,
  };
  const cache = new JourneyCache(registry);
  const engine = new Engine(services, cache);

  const app = createApp(services);
  app.route('/', trackingRoutes(services));
  if (devSmtp) {
    app.route('/', devInboxPageRoutes());
    log.info('development SMTP sink listening; no SMTP_URL given, so every email is captured in the inbox', {
      port: devSmtp.port,
    });
  }
  const editorDir = config.editorDir ?? defaultEditorDir;
  app.get('/sign-in', async (c) => {
    const token = c.req.query('token') ?? '';
    const workspaceId = await redeemSignInToken(db, token);
    if (!workspaceId)
      return c.html(
        '<!doctype html><title>Waymark</title><p>This sign-in link was already used or has expired. Restart Waymark for a new one.</p>',
        400,
      );
    const editor = await issueEditorToken(secrets.tokens, {
      workspaceId,
      access: 'edit',
      ttlSeconds: 12 * 3600,
      user: installationOwner,
    });
    const home = existsSync(editorDir) ? '/' : '/inbox';
    return c.redirect(`${home}#token=${encodeURIComponent(editor.token)}`, 302);
  });
  if (existsSync(editorDir)) {
    app.use('/*', serveStatic({ root: editorDir }));
    app.get('/', serveStatic({ path: `${editorDir}/index.html` }));
  } else {
    app.get('/', (c) =>
      c.html(
        '<!doctype html><meta charset="utf-8"><title>Waymark</title><h1>Waymark runtime</h1><p>The API is at <code>/v1</code> (OpenAPI: <a href="/v1/openapi.json">/v1/openapi.json</a>). The editor is not built yet.</p>',
      ),
    );
  }

  const workers: { stop(): Promise<void> }[] = [startAudience(services, { workers: config.workers })];
  if (config.workers) {
    const scheduler = startScheduler(services, engine, cache);
    schedulerPoke = scheduler.poke;
    workers.push(scheduler);
    const delivery = createDelivery(services, {
      leaseMs: config.deliveryLeaseMs,
      ...(overrides.delivery ?? {}),
      smtpUrl: services.smtpUrl,
      devSinkSecret: devSmtp ? secrets.links : undefined,
    });
    delivery.start();
    workers.push(delivery);
    const effects = createEffectsWorker(services, {
      ...(ai ? { ai } : {}),
      allowPrivateWebhooks: overrides.allowPrivateWebhooks ?? false,
    });
    deliveryPoke = () => {
      delivery.wake();
      effects.poke();
    };
    workers.push(effects);
  }

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // With PORT=0 the port is known only now; links in emails must use it.
  if (config.port === 0) services.config = { ...config, port, publicUrl: `http://localhost:${port}` };
  const url = `http://localhost:${port}`;

  const signInUrl = `${services.config.publicUrl}/sign-in?token=${await createSignInToken(db, 'default')}`;
  return {
    url,
    services,
    engine,
    apiKey: boot.apiKey,
    signInUrl,
    async stop() {
      for (const w of workers) await w.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await devSmtp?.close();
      await loadedAi?.close();
      if (!overrides.database) await database.close();
    },
  };
}
