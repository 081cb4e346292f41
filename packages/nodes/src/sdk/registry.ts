import { WaymarkError } from '../errors.ts';
import { configJsonSchema } from './config-json-schema.ts';
import type { AnyEffectExecutor } from './define-effect.ts';
import { retryPolicyProblems } from './retry.ts';
import type { AnyNodeType, NodeCategory, PortsSpec } from './types.ts';

/** A node type as the API serves it and the editor reads it: plain JSON, config as JSON Schema. */
export interface NodeTypeDescription {
  type: string;
  version: number;
  category: NodeCategory;
  title: string;
  description: string;
  icon: string;
  waits: boolean;
  ports: PortsSpec;
  /** The config as JSON Schema; authors' messages ride along as `errorMessage` (see {@link configJsonSchema}). */
  configSchema: Record<string, unknown>;
  /** Where the type comes from: `builtin` or a package name. */
  source: string;
}

const categories: readonly NodeCategory[] = ['trigger', 'flow', 'action', 'ai'];
const typePattern = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9-]*)+$/;
const reservedNamespace = /^(trigger|flow|action|ai)\./;
/** Names of workspace secrets: what `PUT /v1/secrets/{name}` accepts. */
export const secretNamePattern = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
const iconNamePattern = /^[a-z0-9][a-z0-9-]{0,63}$/;
const maxIconUriLength = 16 * 1024;

/** An icon is a name from the editor's set or an SVG data URI (drawn as an image, so it cannot run script). */
function iconProblem(icon: unknown): string | undefined {
  if (icon === undefined) return undefined;
  if (typeof icon !== 'string') return 'icon must be an icon name or an SVG data URI';
  if (icon.startsWith('data:'))
    return icon.startsWith('data:image/svg+xml') && icon.length <= maxIconUriLength
      ? undefined
      : `icon must be an SVG data URI (data:image/svg+xml,…) of at most ${maxIconUriLength} characters`;
  return iconNamePattern.test(icon)
    ? undefined
    : `icon "${icon}" must be an icon name such as bell, or an SVG data URI`;
}

function checkShape(t: AnyNodeType, source: string): string[] {
  const problems: string[] = [];
  if (typeof t !== 'object' || t === null) return ['is not an object made by defineNode'];
  if (typeof t.type !== 'string' || !typePattern.test(t.type))
    problems.push(`type "${String(t.type)}" is not a namespaced id like acme.slack`);
  if (!Number.isInteger(t.version) || t.version < 1) problems.push('version must be a positive integer');
  if (!categories.includes(t.category)) problems.push(`category must be one of ${categories.join(', ')}`);
  if (typeof t.title !== 'string' || t.title === '') problems.push('title is required');
  if (typeof t.execute !== 'function') problems.push('execute must be a function');
  const icon = iconProblem(t.icon);
  if (icon) problems.push(icon);
  problems.push(...retryPolicyProblems(t.retry));
  if (!t.config || typeof (t.config as { safeParse?: unknown }).safeParse !== 'function')
    problems.push('config must be a zod schema');
  if (
    !Array.isArray(t.ports) &&
    (typeof t.ports !== 'object' ||
      t.ports === null ||
      typeof (t.ports as { fromConfig?: unknown }).fromConfig !== 'string')
  )
    problems.push('ports must be a list of {id, label} or {fromConfig, idKey}');
  if (source !== 'builtin' && typeof t.type === 'string' && reservedNamespace.test(t.type))
    problems.push(`type "${t.type}" uses a namespace reserved for built-in nodes`);
  if (t.migrate !== undefined) {
    const m = t.migrate as { from?: unknown; up?: unknown } | null;
    if (
      m === null ||
      typeof m !== 'object' ||
      !Number.isInteger(m.from) ||
      (m.from as number) < 1 ||
      (Number.isInteger(t.version) && (m.from as number) >= t.version) ||
      typeof m.up !== 'function'
    )
      problems.push('migrate must be { from: an earlier version, up: (config) => config }');
  }
  return problems;
}

function checkExecutor(e: AnyEffectExecutor, source: string): string[] {
  if (typeof e !== 'object' || e === null) return ['is not an object made by defineEffect'];
  const problems: string[] = [];
  if (typeof e.kind !== 'string' || !typePattern.test(e.kind))
    problems.push(`kind "${String(e.kind)}" is not a namespaced id like acme.slack`);
  else if (source !== 'builtin' && reservedNamespace.test(e.kind))
    problems.push(`kind "${e.kind}" uses a namespace reserved for built-in nodes`);
  if (typeof e.execute !== 'function') problems.push('execute must be a function');
  if (!Array.isArray(e.secrets) || !e.secrets.every((n) => typeof n === 'string' && secretNamePattern.test(n)))
    problems.push('secrets must be a list of secret names (letters, digits, _ . -; starting with a letter)');
  if (e.timeoutMs !== undefined && (!Number.isInteger(e.timeoutMs) || e.timeoutMs < 1))
    problems.push('timeoutMs must be a positive whole number of milliseconds');
  problems.push(...retryPolicyProblems(e.retry));
  if (e.schema !== undefined && typeof (e.schema as { safeParse?: unknown }).safeParse !== 'function')
    problems.push('schema must be a zod schema');
  return problems;
}

/** The node types a journey may use, keyed by type and version. */
export class NodeRegistry {
  readonly #types = new Map<string, Map<number, { nodeType: AnyNodeType; source: string }>>();
  readonly #descriptions = new Map<AnyNodeType, NodeTypeDescription>();
  readonly #executors = new Map<string, { executor: AnyEffectExecutor; source: string }>();

  /**
   * Adds node types (and the executors of their custom effect kinds) from one source; adds none of
   * them if any is malformed or clashes with what is registered.
   */
  register(types: readonly AnyNodeType[], source = 'builtin', executors: readonly AnyEffectExecutor[] = []): this {
    const stagedExecutors = new Map<string, AnyEffectExecutor>();
    for (const e of executors) {
      const problems = checkExecutor(e, source);
      if (problems.length > 0)
        throw new WaymarkError(
          'invalid_definition',
          `${source}: effect executor ${String(e?.kind)}: ${problems.join('; ')}`,
        );
      const existing = this.#executors.get(e.kind);
      if (existing || stagedExecutors.has(e.kind))
        throw new WaymarkError(
          'invalid_definition',
          `${source}: effect kind ${e.kind} already has an executor${existing ? ` from ${existing.source}` : ''}`,
        );
      stagedExecutors.set(e.kind, e);
    }
    const staged = new Map<string, AnyNodeType>();
    for (const t of types) {
      const problems = checkShape(t, source);
      if (problems.length > 0)
        throw new WaymarkError('invalid_definition', `${source}: node type ${String(t?.type)}: ${problems.join('; ')}`);
      const key = `${t.type}@${t.version}`;
      const existing = this.#types.get(t.type)?.get(t.version);
      if (existing || staged.has(key))
        throw new WaymarkError(
          'invalid_definition',
          `${source}: node type ${key} is already registered${existing ? ` by ${existing.source}` : ''}`,
        );
      const owner = this.#types.get(t.type);
      const ownerSource = owner?.values().next().value?.source;
      if (ownerSource !== undefined && ownerSource !== source)
        throw new WaymarkError('invalid_definition', `${source}: node type ${t.type} belongs to ${ownerSource}`);
      staged.set(key, t);
    }
    for (const t of staged.values()) {
      let versions = this.#types.get(t.type);
      if (!versions) {
        versions = new Map();
        this.#types.set(t.type, versions);
      }
      versions.set(t.version, { nodeType: t, source });
    }
    for (const e of stagedExecutors.values()) this.#executors.set(e.kind, { executor: e, source });
    return this;
  }

  /** The executor of a custom effect kind, if a package registered one. */
  executor(kind: string): AnyEffectExecutor | undefined {
    return this.#executors.get(kind)?.executor;
  }

  /** Every registered effect executor with the source it came from. */
  executors(): { executor: AnyEffectExecutor; source: string }[] {
    return [...this.#executors.values()];
  }

  /** The node type for a type id and version, if registered. */
  get(type: string, version = 1): AnyNodeType | undefined {
    return this.#types.get(type)?.get(version)?.nodeType;
  }

  /** True when some version of the type is registered. */
  has(type: string): boolean {
    return this.#types.has(type);
  }

  /** The registered versions of a type, ascending. */
  versions(type: string): number[] {
    return [...(this.#types.get(type)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Every registered node type. */
  list(): AnyNodeType[] {
    return [...this.#types.values()].flatMap((v) => [...v.values()].map((e) => e.nodeType));
  }

  /** JSON descriptions of every node type, for `GET /v1/node-types` and the editor's palette. */
  describe(): NodeTypeDescription[] {
    return [...this.#types.values()].flatMap((versions) =>
      [...versions.values()].map(({ nodeType, source }) => this.#describe(nodeType, source)),
    );
  }

  #describe(t: AnyNodeType, source: string): NodeTypeDescription {
    let d = this.#descriptions.get(t);
    if (!d) {
      d = {
        type: t.type,
        version: t.version,
        category: t.category,
        title: t.title,
        description: t.description,
        icon: t.icon,
        waits: t.waits,
        ports: t.ports,
        configSchema: configJsonSchema(t.config),
        source,
      };
      this.#descriptions.set(t, d);
    }
    return d;
  }
}
