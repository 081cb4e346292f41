import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const nodesDir = join(root, 'packages/nodes');

interface PackedManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  main?: string;
  types?: string;
  exports: Record<string, { types: string; import: string }>;
  dependencies: Record<string, string>;
}

/** Every file of a folder, relative to it. */
function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesOf(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

/** The environment of a plain Node process: no loader (tsx) or test runner options inherited. */
function plainEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, VITEST: _vitest, ...env } = process.env;
  return env;
}

// A node author's project, written in plain JavaScript and in TypeScript against the published shape.
const authorScript = `
import { defineNode, nextPort, NodeRegistry } from '@waymark/nodes';
import { checkConfig, runNode } from '@waymark/nodes/testing';
import { z } from 'zod';

const tag = defineNode({
  type: 'acme.tag', version: 1, category: 'action',
  title: 'Tag contact', description: 'Sets a tag attribute', icon: 'tag',
  config: z.object({ tag: z.string().regex(/^[a-z]+$/, 'must be lower-case letters') }),
  ports: nextPort,
  execute: (_ctx, config) => ({ go: 'next', effect: { kind: 'updateContact', set: { [config.tag]: true } } }),
});
const ran = runNode(tag, { config: { tag: 'vip' }, contact: { id: 'c1' } });
console.log(JSON.stringify({
  isRegistry: typeof NodeRegistry === 'function',
  port: ran.port,
  effects: ran.effects,
  attributes: ran.contact.attributes,
  problems: checkConfig(tag, { tag: 'VIP' }).map((p) => p.message),
}));
`;

const authorTypes = `
import { defineNode, nextPort } from '@waymark/nodes';
import { type NodeRun, runNode } from '@waymark/nodes/testing';
import { z } from 'zod';

export const tag = defineNode({
  type: 'acme.tag', version: 1, category: 'action',
  title: 'Tag contact', description: 'Sets a tag attribute', icon: 'tag',
  config: z.object({ tag: z.string() }),
  ports: nextPort,
  execute: (_ctx, config) => ({ go: 'next', effect: { kind: 'updateContact', set: { [config.tag]: true } } }),
});
const ran: NodeRun = runNode(tag, { config: { tag: 'vip' } });
export const port: string | undefined = ran.port;
`;

describe('@waymark/nodes as published (pnpm pack)', () => {
  let packed: string;
  let manifest: PackedManifest;
  let project: string;
  let work: string | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'waymark-nodes-pack-'));
    // pnpm pack runs the package's prepack (the dist build) and applies publishConfig to the manifest.
    await run('pnpm', ['pack', '--pack-destination', work], { cwd: nodesDir });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack left no tarball in ${work}`);
    await run('tar', ['-xzf', join(work, tarball), '-C', work]);
    packed = join(work, 'package');
    manifest = JSON.parse(readFileSync(join(packed, 'package.json'), 'utf8')) as PackedManifest;

    // Installed as a registry would install it; its runtime dependencies come from the workspace.
    project = join(work, 'author');
    mkdirSync(join(project, 'node_modules/@waymark'), { recursive: true });
    cpSync(packed, join(project, 'node_modules/@waymark/nodes'), { recursive: true });
    for (const dep of Object.keys(manifest.dependencies))
      symlinkSync(join(nodesDir, 'node_modules', dep), join(project, 'node_modules', dep), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'acme-nodes', type: 'module' }));
    writeFileSync(join(project, 'check.mjs'), authorScript);
    writeFileSync(join(project, 'tag.ts'), authorTypes);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: [],
        },
        files: ['tag.ts'],
      }),
    );
  }, 180_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is a public package whose manifest points at dist, not at the TypeScript source', () => {
    expect(manifest).toMatchObject({ name: '@waymark/nodes', version: '0.1.0' });
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe('MIT');
    expect(manifest.exports).toEqual({
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './testing': { types: './dist/testing/index.d.ts', import: './dist/testing/index.js' },
    });
    expect({ main: manifest.main, types: manifest.types }).toEqual({
      main: './dist/index.js',
      types: './dist/index.d.ts',
    });
    const files = filesOf(packed);
    // The manifest, the build and the licence (pnpm copies the workspace's LICENSE into the package).
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json')).toEqual(['LICENSE']);
    expect(files.filter((f) => f.includes('.test.') || f.includes('test-util'))).toEqual([]);
  });

  it('ships every exported entry as JavaScript with declarations', () => {
    for (const entry of Object.values(manifest.exports)) {
      expect(existsSync(join(packed, entry.import)), entry.import).toBe(true);
      expect(existsSync(join(packed, entry.types)), entry.types).toBe(true);
    }
    const js = filesOf(packed).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(10);
    for (const f of js) expect(existsSync(join(packed, f.replace(/\.js$/, '.d.ts'))), f).toBe(true);
  });

  it("runs a node author's plain JavaScript with plain Node: defineNode and the testing kit", async () => {
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: project, env: plainEnv() });
    expect(JSON.parse(stdout)).toEqual({
      isRegistry: true,
      port: 'next',
      effects: [{ kind: 'updateContact', set: { vip: true } }],
      attributes: { vip: true },
      problems: ['Tag contact: tag: must be lower-case letters'],
    });
  });

  it("type-checks a node author's TypeScript against the declarations", async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const checked = await run(process.execPath, [tsc, '-p', project], { cwd: project, env: plainEnv() }).then(
      () => 'ok',
      (e: { stdout?: string }) => e.stdout ?? String(e),
    );
    expect(checked).toBe('ok');
  }, 60_000);
});
