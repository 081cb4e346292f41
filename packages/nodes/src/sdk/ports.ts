import type { PortSpec, PortsSpec } from './types.ts';

/** The output ports of a node with the given config. */
export function portsOf(spec: PortsSpec, config: unknown): PortSpec[] {
  if (Array.isArray(spec)) return spec as PortSpec[];
  const { fromConfig, idKey, labelKey } = spec as Exclude<PortsSpec, readonly PortSpec[]>;
  const items =
    config !== null && typeof config === 'object' ? (config as Record<string, unknown>)[fromConfig] : undefined;
  if (!Array.isArray(items)) return [];
  const ports: PortSpec[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const id = (item as Record<string, unknown>)[idKey];
    if (typeof id !== 'string' || id === '') continue;
    const label = labelKey ? (item as Record<string, unknown>)[labelKey] : undefined;
    ports.push({ id, label: typeof label === 'string' && label !== '' ? label : id.toUpperCase() });
  }
  return ports;
}
