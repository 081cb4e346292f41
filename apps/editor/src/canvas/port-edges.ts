import { type PortsSpec, portsOf } from '@waymark/nodes';

/** What a config change did to a step's connected outputs: ports renamed (old → new) and ports removed. */
export interface PortMoves {
  renamed: ReadonlyMap<string, string>;
  removed: ReadonlySet<string>;
}

/** The raw port id of every item of a config-defined port list (`''` where an item has none yet). */
function rawIds(spec: Exclude<PortsSpec, readonly unknown[]>, config: unknown): string[] | undefined {
  const items =
    config !== null && typeof config === 'object' ? (config as Record<string, unknown>)[spec.fromConfig] : undefined;
  if (!Array.isArray(items)) return undefined;
  return items.map((item) => {
    const id = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[spec.idKey] : undefined;
    return typeof id === 'string' ? id : '';
  });
}

/**
 * How a step's connections follow its config from `before` to `after`, for node types whose outputs
 * come from the config (a split's branches, an A/B test's variants); `connected` are the ports its
 * connections leave from.
 * - An item whose port id was edited in place (the list kept its length) takes its connection along,
 *   so renaming variant `b` to `c` keeps what `c` leads to. While the id is being retyped and empty, the
 *   connection stays where it was; the next id typed into that item adopts it.
 * - A port that is gone because its item was removed loses its connection.
 */
export function portMoves(spec: PortsSpec, before: unknown, after: unknown, connected: readonly string[]): PortMoves {
  const renamed = new Map<string, string>();
  const removed = new Set<string>();
  if (Array.isArray(spec)) return { renamed, removed };
  const keyed = spec as Exclude<PortsSpec, readonly unknown[]>;
  const was = rawIds(keyed, before);
  const now = rawIds(keyed, after);
  if (!was || !now) return { renamed, removed };
  if (was.length !== now.length) {
    const kept = new Set(now);
    for (const id of was) if (id !== '' && !kept.has(id)) removed.add(id);
    return { renamed, removed };
  }
  const valid = new Set(portsOf(spec, before).map((p) => p.id));
  was.forEach((old, i) => {
    const next = now[i] as string;
    if (old === next || next === '') return;
    if (old !== '') {
      renamed.set(old, next);
      return;
    }
    // The id was cleared before this one was typed: adopt the one connection left without a port.
    const orphans = connected.filter((port) => !valid.has(port) && !renamed.has(port));
    if (orphans.length === 1) renamed.set(orphans[0] as string, next);
  });
  return { renamed, removed };
}
