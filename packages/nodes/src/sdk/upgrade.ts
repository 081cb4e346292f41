import type { Problem } from '../errors.ts';
import type { NodeRegistry } from './registry.ts';

/** The outcome of upgrading a node's config: the new version and config, or what stood in the way. */
export type UpgradeResult = { ok: true; version: number; config: unknown } | { ok: false; problems: Problem[] };

/**
 * Migrates a node's config from `fromVersion` of its type to `toVersion` (default: the newest
 * registered version), one `migrate` step at a time, and checks the result against the target
 * version's schema. Journeys are never upgraded behind their back: the editor calls this when a
 * user chooses to upgrade a node, and the result is a new draft to publish.
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
