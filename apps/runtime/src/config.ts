import { resolve } from 'node:path';
import { readConfigFile } from './config-file.ts';

/** Settings read from the environment (and the config file, which it overrides) at start. */
export interface RuntimeConfig {
  port: number;
  /** Where embedded PGlite keeps its data when no DATABASE_URL is given. */
  dataDir: string;
  databaseUrl: string | undefined;
  /** A real mail server; without it the built-in development SMTP sink receives everything. */
  smtpUrl: string | undefined;
  /** Port of the built-in SMTP sink (0 picks a free one). */
  devSmtpPort: number;
  /** The address the runtime is reached at, for links in emails. */
  publicUrl: string;
  apiKey: string | undefined;
  fromAddress: string;
  nodePackages: string[];
  /**
   * Where `nodePackages` names and relative paths are resolved from: the config file's folder when
   * the list comes from it, else the working directory.
   */
  nodePackagesDir?: string | undefined;
  /** The config file that was read, if any. */
  configFile?: string | undefined;
  editorDir: string | undefined;
  logLevel: 'info' | 'warn' | 'error' | 'silent';
  /** Run the scheduler and delivery workers in this process. */
  workers: boolean;
  /** Origins of host pages that embed the editor (CORS on the API and the embed bundle). */
  embedOrigins: string[];
  /** How long a delivery worker's claim on an email lasts before another process may take it over. */
  deliveryLeaseMs: number;
  /**
   * Folder of local AI models (WAYMARK_MODELS_DIR). Without it the default models are downloaded from
   * the hub on first use into `<dataDir>/models-cache`.
   */
  modelsDir?: string | undefined;
  /** The hub (or mirror) models are downloaded from without a models folder (WAYMARK_MODELS_HOST). */
  modelsHost?: string | undefined;
  /** Never download models (WAYMARK_MODELS_OFFLINE=1): only a models folder or the cache is used. */
  modelsOffline?: boolean | undefined;
  /** Banned words for workspaces that set none of their own (WAYMARK_BANNED_WORDS, comma-separated). */
  bannedWords?: string[] | undefined;
  /**
   * Proxies in front of the runtime whose X-Forwarded-For is believed (WAYMARK_TRUST_PROXY): a number
   * of hops, or true for all. Unset: none; the audit trail records the connection's own address.
   */
  trustProxy?: number | true | undefined;
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${value}"`);
  return n;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

/** WAYMARK_TRUST_PROXY: `true`, a number of hops, or nothing (`false`, `0`, unset). */
function trustProxy(value: string | undefined): number | true | undefined {
  const v = value?.trim().toLowerCase() ?? '';
  if (v === '' || v === 'false' || v === '0') return undefined;
  if (v === 'true') return true;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100)
    throw new Error(`WAYMARK_TRUST_PROXY must be true, false or a number of proxies (hops), got "${value}"`);
  return n;
}

function yes(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(v)) return false;
  if (['1', 'true', 'yes'].includes(v)) return true;
  throw new Error(`${name} must be 1 or 0, got "${value}"`);
}

/** A comma-separated environment variable as a list, or undefined when it is unset or empty. */
function list(value: string | undefined): string[] | undefined {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/**
 * Reads the runtime's configuration from environment variables and the config file (`WAYMARK_CONFIG`,
 * or `waymark.config.json` in `cwd`). A variable that is set wins over the file's field, whole.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RuntimeConfig {
  const file = readConfigFile(env, cwd);
  const fromFile = file?.settings ?? {};
  const port = int('PORT', env.PORT, fromFile.port ?? 3000);
  const level = env.WAYMARK_LOG_LEVEL ?? fromFile.logLevel ?? 'info';
  const envPackages = list(env.WAYMARK_NODE_PACKAGES);
  if (!['info', 'warn', 'error', 'silent'].includes(level))
    throw new Error(`WAYMARK_LOG_LEVEL must be info, warn, error or silent`);
  return {
    port,
    dataDir: resolve(env.WAYMARK_DATA_DIR ?? '.waymark-data'),
    databaseUrl: env.DATABASE_URL || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    devSmtpPort: int('WAYMARK_DEV_SMTP_PORT', env.WAYMARK_DEV_SMTP_PORT, 0),
    publicUrl: (env.WAYMARK_PUBLIC_URL ?? fromFile.publicUrl ?? `http://localhost:${port}`).replace(/\/$/, ''),
    apiKey: env.WAYMARK_API_KEY || undefined,
    fromAddress: env.WAYMARK_FROM ?? fromFile.fromAddress ?? 'Waymark <hello@waymark.localhost>',
    nodePackages: envPackages ?? fromFile.nodePackages ?? [],
    nodePackagesDir: envPackages === undefined && fromFile.nodePackages ? file?.dir : undefined,
    configFile: file?.path,
    editorDir: env.WAYMARK_EDITOR_DIR || undefined,
    logLevel: level as RuntimeConfig['logLevel'],
    workers: env.WAYMARK_WORKERS !== 'off',
    embedOrigins: (list(env.WAYMARK_EMBED_ORIGINS) ?? fromFile.embedOrigins ?? []).map((s) => s.replace(/\/$/, '')),
    deliveryLeaseMs: positive('WAYMARK_DELIVERY_LEASE_MS', env.WAYMARK_DELIVERY_LEASE_MS, 5 * 60_000),
    modelsDir: env.WAYMARK_MODELS_DIR
      ? resolve(env.WAYMARK_MODELS_DIR)
      : fromFile.modelsDir && file
        ? resolve(file.dir, fromFile.modelsDir)
        : undefined,
    modelsHost: env.WAYMARK_MODELS_HOST || undefined,
    modelsOffline: yes('WAYMARK_MODELS_OFFLINE', env.WAYMARK_MODELS_OFFLINE),
    bannedWords: list(env.WAYMARK_BANNED_WORDS) ?? [],
    trustProxy: trustProxy(env.WAYMARK_TRUST_PROXY),
  };
}
