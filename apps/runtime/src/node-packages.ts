import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { type AnyEffectExecutor, type AnyNodeType, defaultRegistry, NodeRegistry, WaymarkError } from '@waymark/nodes';

/** How long one call into a package's node code (execute, enrols, check …) may run by default. */
export const defaultNodeTimeLimitMs = 500;

/** A node package that cannot be used; the message names the package and the problem. */
export class NodePackageError extends Error {
  override readonly name = 'NodePackageError';
  constructor(
    readonly packageName: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`node package ${packageName}: ${problem}`, options);
  }
}

/** Options of {@link loadRegistry}. */
export interface LoadRegistryOptions {
  /** Where package names are resolved from (their node_modules) and paths are relative to. */
  cwd?: string;
  /** Time limit of each synchronous call into package node code, in ms; 0 turns the guard off. */
  timeLimitMs?: number;
}

// One context and script for every guarded call: `call` is swapped in for each call.
const guardContext = vm.createContext({ call: undefined as (() => unknown) | undefined });
const guardScript = new vm.Script('call()', { filename: 'waymark-node-time-limit' });

/**
 * Runs `fn` and stops it if it is still running after `ms` milliseconds, by running it from a
 * `vm` script with a timeout: V8 terminates whatever JavaScript is executing, synchronous loops
 * included. It blocks this process's event loop until then, so the limit is kept short.
 */
export function withinTimeLimit<T>(fn: () => T, ms: number, what: string): T {
  const previous = guardContext.call;
  guardContext.call = fn;
  try {
    return guardScript.runInContext(guardContext, { timeout: ms }) as T;
  } catch (e) {
    if ((e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
      throw new WaymarkError('node_timeout', `${what} ran for more than ${ms} ms and was stopped`);
    throw e;
  } finally {
    guardContext.call = previous;
  }
}

/** The node type with every function of the package's code behind the time limit. */
function guardNodeType(t: AnyNodeType, ms: number): AnyNodeType {
  const name = `${t.type}@${t.version}`;
  const guarded: AnyNodeType = {
    ...t,
    execute: (ctx, config) => withinTimeLimit(() => t.execute(ctx, config), ms, `${name} execute`),
  };
  const { enrols, nextEnrolment, check, migrate } = t;
  if (enrols)
    guarded.enrols = (config, input, ctx) => withinTimeLimit(() => enrols(config, input, ctx), ms, `${name} enrols`);
  if (nextEnrolment)
    guarded.nextEnrolment = (config, contact, after, zone) =>
      withinTimeLimit(() => nextEnrolment(config, contact, after, zone), ms, `${name} nextEnrolment`);
  if (check) guarded.check = (config) => withinTimeLimit(() => check(config), ms, `${name} check`);
  if (migrate)
    guarded.migrate = { from: migrate.from, up: (c) => withinTimeLimit(() => migrate.up(c), ms, `${name} migrate`) };
  return Object.freeze(guarded);
}

/** The first target of an `exports` value for the conditions an ESM import uses. */
function exportTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = exportTarget(v);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [condition, target] of Object.entries(value))
    if (condition === 'import' || condition === 'node' || condition === 'default') {
      const t = exportTarget(target);
      if (t !== undefined) return t;
    }
  return undefined;
}

/** The entry file of a package folder for `subpath` ('.' for the package itself), from its package.json. */
function entryOf(dir: string, subpath: string): string | undefined {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest))
    return subpath === '.' && existsSync(join(dir, 'index.js')) ? join(dir, 'index.js') : undefined;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; module?: unknown; main?: unknown };
  let target: string | undefined;
  if (pkg.exports !== undefined) {
    const exportsMap = pkg.exports as Record<string, unknown>;
    const isSubpathMap =
      exportsMap !== null && typeof exportsMap === 'object' && Object.keys(exportsMap).some((k) => k.startsWith('.'));
    target = exportTarget(isSubpathMap ? exportsMap[subpath] : subpath === '.' ? pkg.exports : undefined);
  } else if (subpath === '.') target = typeof pkg.main === 'string' ? pkg.main : 'index.js';
  else target = subpath;
  return target === undefined ? undefined : resolve(dir, target);
}

/**
 * Where a package name resolves to from `cwd`: the node_modules folders Node would search from
 * there, read with the `import` conditions. Undefined when no such package is installed there.
 */
function resolveFromCwd(name: string, cwd: string): string | undefined {
  const parts = name.split('/');
  const packageName = name.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  const subpath = `.${name.slice(packageName.length)}`;
  const searched = createRequire(join(cwd, 'package.json')).resolve.paths(packageName) ?? [];
  for (const dir of searched) {
    const packageDir = join(dir, packageName);
    if (!existsSync(join(packageDir, 'package.json'))) continue;
    const entry = entryOf(packageDir, subpath);
    if (entry === undefined) throw new Error(`it does not export "${subpath}" for import`);
    return entry;
  }
  return undefined;
}

/**
 * What to `import()` for a configured package: a file URL when the name is installed where `cwd`
 * would find it (or is a path), else the bare name for the runtime's own resolution.
 */
export function nodePackageSpecifier(name: string, cwd: string): string {
  const isPath = name.startsWith('.') || isAbsolute(name);
  if (isPath) {
    const path = resolve(cwd, name);
    if (!existsSync(path)) throw new Error(`there is no file or folder ${path}`);
    const entry = statSync(path).isDirectory() ? entryOf(path, '.') : path;
    if (entry === undefined) throw new Error(`the folder ${path} has no package.json entry or index.js`);
    return pathToFileURL(realpathSync(entry)).href;
  }
  const found = resolveFromCwd(name, cwd);
  // Real paths, so that tools keyed on node_modules (test runners, loaders) treat linked packages as source.
  return found === undefined ? name : pathToFileURL(realpathSync(found)).href;
}

function isNodeType(value: unknown): value is AnyNodeType {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { execute?: unknown }).execute === 'function'
  );
}

/**
 * What a package contributes: `nodeTypes` (an array) and optionally `effects` (executors), as named
 * exports or on a default export object; a default array of node types; or, failing those, node
 * types as named exports.
 */
function contentsOf(mod: Record<string, unknown>): { nodeTypes: unknown; effects: unknown } {
  const fromDefault =
    mod.default !== null && typeof mod.default === 'object' && !Array.isArray(mod.default)
      ? (mod.default as Record<string, unknown>)
      : undefined;
  const nodeTypes =
    mod.nodeTypes ??
    fromDefault?.nodeTypes ??
    (Array.isArray(mod.default) ? mod.default : undefined) ??
    Object.values(mod).filter(isNodeType);
  return { nodeTypes, effects: mod.effects ?? fromDefault?.effects ?? [] };
}

async function loadPackage(
  name: string,
  cwd: string,
): Promise<{ nodeTypes: AnyNodeType[]; effects: AnyEffectExecutor[] }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(nodePackageSpecifier(name, cwd))) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { code?: string };
    const problem =
      err.code === 'ERR_MODULE_NOT_FOUND' && !name.startsWith('.') && !isAbsolute(name)
        ? `cannot be found from ${cwd} (install it next to the runtime, or give a path): ${err.message}`
        : `cannot be loaded: ${err.message}`;
    throw new NodePackageError(name, problem, { cause: e });
  }
  const { nodeTypes, effects } = contentsOf(mod);
  if (!Array.isArray(nodeTypes))
    throw new NodePackageError(name, 'nodeTypes must be an array of node types made with defineNode');
  if (nodeTypes.length === 0)
    throw new NodePackageError(name, 'exports no node types (export const nodeTypes = [defineNode(…), …])');
  if (!Array.isArray(effects))
    throw new NodePackageError(name, 'effects must be an array of effect executors made with defineEffect');
  return { nodeTypes, effects };
}

/** Registers with the package's name as source, turning the registry's refusal into a {@link NodePackageError}. */
function registerPackage(
  registry: NodeRegistry,
  name: string,
  nodeTypes: readonly AnyNodeType[],
  effects: readonly AnyEffectExecutor[],
): void {
  try {
    registry.register(nodeTypes, name, effects);
  } catch (e) {
    if (!(e instanceof WaymarkError)) throw e;
    const problem = e.message.startsWith(`${name}: `) ? e.message.slice(name.length + 2) : e.message;
    throw new NodePackageError(name, problem, { cause: e });
  }
}

/**
 * Builds the registry: the built-in node types plus those of each configured package (module names,
 * resolved from `cwd`, or paths). Each package is checked on its own first (shapes, clashes within
 * it, config schemas that convert to JSON Schema), then against the others. Any problem stops the
 * start with a {@link NodePackageError} naming the package; nothing is half-loaded. Package node
 * code runs behind a time limit ({@link withinTimeLimit}).
 */
export async function loadRegistry(
  packages: readonly string[],
  options: LoadRegistryOptions = {},
): Promise<NodeRegistry> {
  const cwd = options.cwd ?? process.cwd();
  const timeLimitMs = options.timeLimitMs ?? defaultNodeTimeLimitMs;
  const registry = defaultRegistry();
  const seen = new Set<string>();
  for (const name of packages) {
    if (seen.has(name)) throw new NodePackageError(name, 'is listed twice');
    seen.add(name);
    const { nodeTypes, effects } = await loadPackage(name, cwd);
    registerPackage(new NodeRegistry(), name, nodeTypes, effects);
    for (const t of nodeTypes)
      try {
        new NodeRegistry().register([t], name).describe();
      } catch (e) {
        throw new NodePackageError(
          name,
          `node type ${t.type}@${t.version}: its config schema cannot be described as JSON Schema: ${(e as Error).message}`,
          { cause: e },
        );
      }
    const guarded = timeLimitMs > 0 ? nodeTypes.map((t) => guardNodeType(t, timeLimitMs)) : nodeTypes;
    registerPackage(registry, name, guarded, effects);
  }
  return registry;
}
