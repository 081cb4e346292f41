import type { Problem } from '../errors.ts';
import type { NodeRegistry } from './registry.ts';

/** The outcome of upgrading a node's config: the new version and config, or what stood in the way. */
export type UpgradeResult = { ok: true; version: number; config: unknown } | { ok: false; problems: Problem[] };

/**
 * Migrates a node's config from `fromVersion` of its type to `toVersion` (default: the newest
 * registered version), one `migrate` step at a time, and checks the result against the target
 * version's schema. Journeys are never upgraded behind their back: the runtime calls this (through
 * {@link upgradeJourneyNodes}) when a user chooses to upgrade a step, and the result is a new draft
 * to publish.
 *
 * @example
 * const r = upgradeNodeConfig(registry, 'acme.slackNotify', 1, { channel: '#sales', message: 'Hi' });
 * // r.ok && r.version === 2 && r.config is a valid version 2 config
 */
export function upgradeNodeConfig(
  registry: NodeRegistry,
  type: string,
  fromVersion: number,
  config: unknown,
  toVersion?: number,
): UpgradeResult {
  const versions = registry.versions(type);
  const fail = (code: Problem['code'], message: string): UpgradeResult => ({
    ok: false,
    problems: [{ code, message }],
  });
  if (versions.length === 0) return fail('unknown_node_type', `unknown node type "${type}"`);
  const target = toVersion ?? (versions[versions.length - 1] as number);
  if (!versions.includes(target))
    return fail('unknown_node_version', `node type ${type} has no version ${target} (known: ${versions.join(', ')})`);
  if (target < fromVersion)
    return fail('unknown_node_version', `node type ${type} cannot go back from version ${fromVersion} to ${target}`);
  let version = fromVersion;
  let current = config;
  while (version < target) {
    const next = versions.find((v) => v > version && v <= target && registry.get(type, v)?.migrate?.from === version);
    const step = next === undefined ? undefined : registry.get(type, next)?.migrate;
    if (next === undefined || !step)
      return fail(
        'unknown_node_version',
        `node type ${type} has no migration from version ${version} towards ${target}`,
      );
    try {
      current = step.up(current);
    } catch (e) {
      return fail(
        'invalid_config',
        `migrating ${type} from version ${version} to ${next} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    version = next;
  }
  const nodeType = registry.get(type, target);
  const parsed = nodeType?.config.safeParse(current);
  if (parsed && !parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
        return {
          code: 'invalid_config' as const,
          message: `${nodeType?.title ?? type} version ${target}: ${path.length > 0 ? `${path.join('.')}: ` : ''}${issue.message}`,
          path,
        };
      }),
    };
  return { ok: true, version, config: current };
}

/** A step of a journey whose node type has a newer version than the one the step is pinned to. */
export interface NodeUpgrade {
  /** The step's id. */
  node: string;
  type: string;
  /** The version the step is pinned to. */
  from: number;
  /** The newest registered version of its type. */
  to: number;
}

interface LooseNode {
  id?: unknown;
  type?: unknown;
  typeVersion?: unknown;
  config?: unknown;
}

const looseNodes = (definition: unknown): LooseNode[] => {
  const nodes = (definition as { nodes?: unknown } | null)?.nodes;
  return Array.isArray(nodes) ? nodes.filter((n): n is LooseNode => typeof n === 'object' && n !== null) : [];
};

/**
 * The steps of a definition (a draft, valid or not) whose node type has a newer registered version.
 *
 * @example
 * nodeUpgrades({ nodes: [{ id: 'slack', type: 'acme.slackNotify', typeVersion: 1, config: {} }] }, registry);
 * // [{ node: 'slack', type: 'acme.slackNotify', from: 1, to: 2 }]
 */
export function nodeUpgrades(definition: unknown, registry: NodeRegistry): NodeUpgrade[] {
  const upgrades: NodeUpgrade[] = [];
  for (const n of looseNodes(definition)) {
    if (typeof n.id !== 'string' || typeof n.type !== 'string') continue;
    const from = n.typeVersion ?? 1;
    const to = registry.versions(n.type).at(-1);
    if (typeof from === 'number' && Number.isInteger(from) && to !== undefined && to > from)
      upgrades.push({ node: n.id, type: n.type, from, to });
  }
  return upgrades;
}

/** The outcome of upgrading steps of a journey: the new definition and what changed, or why not. */
export type JourneyUpgradeResult =
  | { ok: true; definition: Record<string, unknown>; upgraded: NodeUpgrade[] }
  | { ok: false; problems: Problem[] };

/**
 * Upgrades steps of a definition to the newest version of their node type with
 * {@link upgradeNodeConfig}: all upgradable steps, or those of `nodeIds` among them. All or nothing:
 * when one step's migration throws or its result fails the new version's schema, nothing is
 * upgraded and the problems name the step. Other fields of the definition are kept as they are.
 *
 * @example
 * const r = upgradeJourneyNodes(draft, registry, ['slack']);
 * if (r.ok) saveDraft(r.definition); // r.upgraded: [{ node: 'slack', from: 1, to: 2, ... }]
 */
export function upgradeJourneyNodes(
  definition: Record<string, unknown>,
  registry: NodeRegistry,
  nodeIds?: readonly string[],
): JourneyUpgradeResult {
  const wanted = nodeUpgrades(definition, registry).filter((u) => nodeIds === undefined || nodeIds.includes(u.node));
  const nodes = looseNodes(definition);
  const done = new Map<string, { version: number; config: unknown }>();
  const problems: Problem[] = [];
  for (const u of wanted) {
    const node = nodes.find((n) => n.id === u.node);
    const r = upgradeNodeConfig(registry, u.type, u.from, node?.config ?? {}, u.to);
    if (r.ok) done.set(u.node, { version: r.version, config: r.config });
    else problems.push(...r.problems.map((p) => ({ ...p, nodeId: u.node, message: `step "${u.node}": ${p.message}` })));
  }
  if (problems.length > 0) return { ok: false, problems };
  const all = (definition as { nodes?: unknown }).nodes;
  return {
    ok: true,
    definition: {
      ...definition,
      nodes: Array.isArray(all)
        ? all.map((n: LooseNode) => {
            const up = typeof n?.id === 'string' ? done.get(n.id) : undefined;
            return up ? { ...n, typeVersion: up.version, config: up.config } : n;
          })
        : all,
    },
    upgraded: wanted,
  };
}
