import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';
import { ConfigFileError } from './config-file.ts';
import { loadRegistry } from './node-packages.ts';

const fixtures = fileURLToPath(new URL('../test/fixtures/node-packages/', import.meta.url));

/** A fresh folder holding `waymark.config.json` (or `name`) with `content` (an object, or raw text). */
function folderWith(content: unknown, name = 'waymark.config.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-config-'));
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

/** The ConfigFileError readConfig throws. */
function refusal(env: NodeJS.ProcessEnv, cwd: string): ConfigFileError {
  try {
    readConfig(env, cwd);
  } catch (e) {
    if (e instanceof ConfigFileError) return e;
    throw e;
  }
  throw new Error('the config was accepted');
}

describe('the config file', () => {
  it('is read from waymark.config.json in the working directory', () => {
    const dir = folderWith({
      nodePackages: ['@acme/waymark-slack'],
      publicUrl: 'https://journeys.acme.test/',
      embedOrigins: ['https://app.acme.test'],
      logLevel: 'warn',
    });
    expect(readConfig({}, dir)).toMatchObject({
      nodePackages: ['@acme/waymark-slack'],
      nodePackagesDir: dir,
      configFile: join(dir, 'waymark.config.json'),
      publicUrl: 'https://journeys.acme.test',
      embedOrigins: ['https://app.acme.test'],
      logLevel: 'warn',
    });
  });

  it('is optional: without one the defaults and the environment apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-config-'));
    expect(readConfig({}, dir)).toMatchObject({ nodePackages: [], configFile: undefined, port: 3000 });
  });

  it('resolves relative package paths against its own folder, wherever the runtime runs', async () => {
    const dir = folderWith({ nodePackages: ['./packages/good.ts'], modelsDir: 'models' }, 'deploy/waymark.config.json');
    mkdirSync(join(dir, 'deploy/packages'), { recursive: true });
    writeFileSync(join(dir, 'deploy/packages/good.ts'), `export * from ${JSON.stringify(join(fixtures, 'good.ts'))};`);
    const config = readConfig({ WAYMARK_CONFIG: 'deploy/waymark.config.json' }, dir);
    expect(config).toMatchObject({
      nodePackagesDir: join(dir, 'deploy'),
      modelsDir: join(dir, 'deploy/models'),
      configFile: join(dir, 'deploy/waymark.config.json'),
    });
    // Loaded from a working directory where ./packages/good.ts does not exist.
    const registry = await loadRegistry(config.nodePackages, { cwd: config.nodePackagesDir as string });
    expect(registry.describe().find((d) => d.type === 'fixture.ping')?.source).toBe('./packages/good.ts');
  });

  it('gives way to environment variables that are set, field by field and whole', () => {
    const dir = folderWith({ nodePackages: ['./from-file.js'], port: 4000, fromAddress: 'File <f@acme.test>' });
    const config = readConfig({ WAYMARK_NODE_PACKAGES: '@acme/a, ./b.js', PORT: '5000' }, dir);
    expect(config).toMatchObject({
      nodePackages: ['@acme/a', './b.js'],
      nodePackagesDir: undefined,
      port: 5000,
      fromAddress: 'File <f@acme.test>',
    });
    // An empty variable counts as unset.
    expect(readConfig({ WAYMARK_NODE_PACKAGES: '' }, dir).nodePackages).toEqual(['./from-file.js']);
  });

  it.each([
    ['not JSON', '{ "nodePackages": [', undefined, /is not valid JSON/],
    ['not an object', '["@acme/a"]', undefined, /must hold a JSON object/],
    ['a list that is not one', { nodePackages: '@acme/a' }, 'nodePackages', /expected array/],
    [
      'an empty package name',
      { nodePackages: ['@acme/a', ' '] },
      'nodePackages[1]',
      /must be a package name or a path/,
    ],
    ['a port out of range', { port: 70000 }, 'port', /65535/],
    [
      'a misspelt field',
      { nodePackage: ['@acme/a'] },
      'nodePackage',
      /is not a setting \(the file may set nodePackages, port/,
    ],
    ['a secret', { databaseUrl: 'postgres://u:p@db/w' }, 'databaseUrl', /set DATABASE_URL instead/],
  ])('refuses %s, naming the file and the field', (_name, content, field, problem) => {
    const dir = folderWith(content);
    const error = refusal({}, dir);
    expect(error.file).toBe(join(dir, 'waymark.config.json'));
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(problem);
    expect(
      error.message.startsWith(`config file ${join(dir, 'waymark.config.json')}: ${field ? `${field}: ` : ''}`),
    ).toBe(true);
  });

  it('refuses a WAYMARK_CONFIG that names no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-config-'));
    expect(refusal({ WAYMARK_CONFIG: 'nope.json' }, dir).message).toBe(
      `config file ${join(dir, 'nope.json')}: does not exist (WAYMARK_CONFIG names it)`,
    );
  });

  it('stops `waymark start` with the message alone, before touching a database', async () => {
    const dir = folderWith({ nodePackages: [42] });
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const failed = await promisify(execFile)(tsx, [main], {
      cwd: dir,
      env: { PATH: process.env.PATH, WAYMARK_DATA_DIR: join(dir, 'data') },
    }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim()).toBe(
      `Waymark could not start: config file ${join(dir, 'waymark.config.json')}: nodePackages[0]: Invalid input: expected string, received number`,
    );
  }, 30_000);
});
