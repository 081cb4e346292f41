import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** The config file's name in the working directory, when `WAYMARK_CONFIG` names none. */
export const configFileName = 'waymark.config.json';

/** A config file that cannot be used; the message names the file and the field. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(`config file ${file}: ${field === undefined ? '' : `${field}: `}${problem}`);
  }
}

/**
 * Settings a config file may hold: what belongs with the deployment and may be checked in. Secrets
 * (API keys, database and SMTP URLs with passwords) stay in the environment.
 */
const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  nodePackages: z.array(z.string().trim().min(1, 'must be a package name or a path')).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  publicUrl: z.url().optional(),
  fromAddress: z.string().min(3).optional(),
  embedOrigins: z.array(z.url()).optional(),
  logLevel: z.enum(['info', 'warn', 'error', 'silent']).optional(),
  modelsDir: z.string().min(1).optional(),
});

/** The settings of a config file. */
export type ConfigFileSettings = z.infer<typeof configFileSchema>;

/** Fields that hold secrets, refused in the file with the environment variable to use instead. */
const secretFields: Record<string, string> = {
  apiKey: 'WAYMARK_API_KEY',
  databaseUrl: 'DATABASE_URL',
  smtpUrl: 'SMTP_URL',
};

/** A config file that was read: where it is (relative paths in it are relative to `dir`) and its settings. */
export interface LoadedConfigFile {
  path: string;
  dir: string;
  settings: ConfigFileSettings;
}

/** `a.b[2]` from a zod issue path. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/**
 * Reads the config file: the path in `WAYMARK_CONFIG` (relative to `cwd`), which must exist, or else
 * `waymark.config.json` in `cwd` when there is one. Throws a {@link ConfigFileError} naming the file
 * and the field for anything malformed, unknown fields and secrets included.
 */
export function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): LoadedConfigFile | undefined {
  const named = env.WAYMARK_CONFIG;
  const path = named ? resolve(cwd, named) : join(cwd, configFileName);
  if (!existsSync(path)) {
    if (named) throw new ConfigFileError(path, undefined, 'does not exist (WAYMARK_CONFIG names it)');
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigFileError(path, undefined, `is not valid JSON: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigFileError(path, undefined, 'must hold a JSON object such as { "nodePackages": ["@acme/pkg"] }');
  for (const [field, variable] of Object.entries(secretFields))
    if (field in raw)
      throw new ConfigFileError(path, field, `secrets do not belong in the config file; set ${variable} instead`);
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    if (issue.code === 'unrecognized_keys')
      throw new ConfigFileError(
        path,
        issue.keys[0],
        `is not a setting (the file may set ${Object.keys(configFileSchema.shape)
          .filter((k) => k !== '$schema')
          .join(', ')})`,
      );
    throw new ConfigFileError(path, fieldOf(issue.path) || undefined, issue.message);
  }
  return { path, dir: dirname(path), settings: parsed.data };
}
