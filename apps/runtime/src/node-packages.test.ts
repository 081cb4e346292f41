import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { advance, validateJourney, WaymarkError } from '@waymark/nodes';
import { describe, expect, it } from 'vitest';
import { loadRegistry, NodePackageError, nodePackageSpecifier, withinTimeLimit } from './node-packages.ts';

const fixtures = fileURLToPath(new URL('../test/fixtures/node-packages/', import.meta.url));
const fixture = (name: string) => join(fixtures, `${name}.ts`);

/** Expects loading to fail with a NodePackageError naming `pkg` and matching `problem`. */
async function expectRefused(packages: string[], pkg: string, problem: RegExp) {
  const error = await loadRegistry(packages).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodePackageError);
  expect((error as NodePackageError).packageName).toBe(pkg);
  expect((error as NodePackageError).message).toMatch(
    new RegExp(`^node package ${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `),
  );
  expect((error as NodePackageError).problem).toMatch(problem);
}

describe('loadRegistry', () => {
  it('adds the node types and executors of a package, with the package as their source', async () => {
    const registry = await loadRegistry([fixture('good')]);
    expect(registry.describe().find((d) => d.type === 'fixture.ping')).toMatchObject({
      source: fixture('good'),
      version: 1,
      configSchema: { required: ['target'] },
    });
    expect(registry.executor('fixture.ping')?.secrets).toEqual(['pingToken']);
    expect(registry.get('flow.wait')).toBeDefined();
  });

  it('resolves relative paths from the working directory it is given', async () => {
    const registry = await loadRegistry(['./good.ts'], { cwd: fixtures });
    expect(registry.has('fixture.ping')).toBe(true);
  });

  it('reads a default export object', async () => {
    expect((await loadRegistry([fixture('default-object')])).has('fixture.defaultObject')).toBe(true);
  });

  it.each([
    { name: 'throws', problem: /^cannot be loaded: the package needs ACME_REGION to be set/ },
    { name: 'no-types', problem: /exports no node types/ },
    {
      name: 'malformed',
      problem: /node type fixture\.broken: category must be one of .*title is required; execute must be a function/,
    },
    { name: 'reserved', problem: /type "flow\.wait" uses a namespace reserved for built-in nodes/ },
    { name: 'bad-effects', problem: /effect executor action\.ping: kind "action\.ping" uses a namespace reserved/ },
    { name: 'effects-not-array', problem: /effects must be an array/ },
  ])('refuses the $name fixture with a message naming it and the problem', async ({ name, problem }) => {
    await expectRefused([fixture(name)], fixture(name), problem);
  });

  it('refuses a package whose node type another package registered, naming both', async () => {
    await expectRefused(
      [fixture('good'), fixture('clash')],
      fixture('clash'),
      new RegExp(`fixture\\.ping belongs to ${fixture('good')}`),
    );
  });

  it('refuses a path that does not exist and a name that is not installed', async () => {
    await expectRefused(['./nowhere.js'], './nowhere.js', /cannot be loaded: there is no file or folder/);
    await expectRefused(['@acme/not-installed'], '@acme/not-installed', /cannot be found from/);
  });

  it('refuses a package listed twice', async () => {
    await expectRefused([fixture('good'), fixture('good')], fixture('good'), /listed twice/);
  });

  it('stops package node code that runs past the time limit, failing only that step', async () => {
    const registry = await loadRegistry([fixture('slow')], { timeLimitMs: 50 });
    const definition = (where: string) => ({
      schemaVersion: 1,
      id: 'slow',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'spin', type: 'fixture.spin', config: { where } },
        { id: 'end', type: 'flow.exit', config: {} },
      ],
      edges: [
        { from: 'start', to: 'spin' },
        { from: 'spin', to: 'end' },
      ],
    });
    const v = validateJourney(definition('execute'), registry);
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const started = Date.now();
    const r = advance(v.journey, undefined, { kind: 'manual' }, { now: 0, contact: { id: 'ann', attributes: {} } });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.steps.at(-1)).toMatchObject({
      node: 'spin',
      error: { code: 'node_timeout', message: 'fixture.spin@1 execute ran for more than 50 ms and was stopped' },
    });
    expect(r.state.runs[0]?.failed).toMatchObject({ code: 'node_timeout', attempts: 1 });
    // A check that loops is stopped too, and reported on its node rather than hanging validation.
    expect(validateJourney(definition('check'), registry).problems).toEqual([
      expect.objectContaining({
        code: 'invalid_config',
        nodeId: 'spin',
        message: expect.stringContaining('fixture.spin@1 check ran for more than 50 ms and was stopped'),
      }),
    ]);
    expect(validateJourney(definition('nowhere'), registry).ok).toBe(true);
  });
});

describe('withinTimeLimit', () => {
  it('returns values and rethrows errors as they are', () => {
    const value = { a: 1 };
    expect(withinTimeLimit(() => value, 100, 'x')).toBe(value);
    const error = new TypeError('bad');
    expect(() =>
      withinTimeLimit(
        () => {
          throw error;
        },
        100,
        'x',
      ),
    ).toThrow(error);
  });

  it('stops a synchronous loop with a node_timeout WaymarkError, and can be nested', () => {
    let caught: unknown;
    try {
      withinTimeLimit(
        () =>
          withinTimeLimit(() => 1, 100, 'inner') +
          withinTimeLimit(
            () => {
              for (;;) {}
            },
            30,
            'loop',
          ),
        1_000,
        'outer',
      );
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WaymarkError);
    expect((caught as WaymarkError).code).toBe('node_timeout');
    expect((caught as WaymarkError).message).toBe('loop ran for more than 30 ms and was stopped');
  });
});

describe('nodePackageSpecifier', () => {
  const root = mkdtempSync(join(tmpdir(), 'waymark-packages-'));
  const pkg = (name: string, manifest: Record<string, unknown>, files: string[] = []) => {
    const dir = join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, ...manifest }));
    for (const f of files) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), 'export const nodeTypes = [];');
    }
    return dir;
  };
  const url = (path: string) => pathToFileURL(path).href;

  it.each([
    { name: 'plain', manifest: { exports: './src/index.js' }, file: 'src/index.js' },
    {
      name: '@acme/conditions',
      manifest: { exports: { '.': { types: './i.d.ts', import: './esm.js', require: './cjs.cjs' } } },
      file: 'esm.js',
    },
    { name: 'root-conditions', manifest: { exports: { node: './node.js', default: './other.js' } }, file: 'node.js' },
    { name: 'main-only', manifest: { main: 'lib/main.js' }, file: 'lib/main.js' },
    { name: 'bare', manifest: {}, file: 'index.js' },
  ])('finds the import entry of $name from the working directory', ({ name, manifest, file }) => {
    const dir = pkg(name, manifest, [file]);
    expect(nodePackageSpecifier(name, root)).toBe(url(join(dir, file)));
  });

  it('finds a subpath export and refuses one that is not exported', () => {
    const dir = pkg('@acme/multi', { exports: { '.': './a.js', './slack': { import: './slack.js' } } }, [
      'a.js',
      'slack.js',
    ]);
    expect(nodePackageSpecifier('@acme/multi/slack', root)).toBe(url(join(dir, 'slack.js')));
    expect(() => nodePackageSpecifier('@acme/multi/teams', root)).toThrow(/does not export "\.\/teams"/);
  });

  it('leaves a name it cannot find from the working directory to the runtime', () => {
    expect(nodePackageSpecifier('@acme/elsewhere', root)).toBe('@acme/elsewhere');
  });

  it('reads a folder path through its package.json', () => {
    const dir = pkg('folder', { exports: './entry.js' }, ['entry.js']);
    expect(nodePackageSpecifier(dir, '/')).toBe(url(join(dir, 'entry.js')));
  });
});
