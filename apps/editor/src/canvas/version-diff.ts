import type { JourneyDoc } from './editor-state.ts';

/** What a step's difference from the live version is about. */
export type ChangedField = 'type' | 'typeVersion' | 'config' | 'label';

/** A step that is new in the draft, gone from it, or different from the live one. */
export type NodeDiff =
  | { id: string; kind: 'added' | 'removed'; type: string }
  | { id: string; kind: 'changed'; type: string; fields: ChangedField[] };

/** A connection new in the draft or gone from it (a moved connection is one of each). */
export interface EdgeDiff {
  id: string;
  kind: 'added' | 'removed';
  source: string;
  port: string;
  target: string;
}

/** How a draft differs from the live version; positions never count. */
export interface VersionDiff {
  nodes: NodeDiff[];
  edges: EdgeDiff[];
  settingsChanged: boolean;
}

type Side = Pick<JourneyDoc, 'nodes' | 'edges'> & Partial<Pick<JourneyDoc, 'settings'>>;

/** JSON with object keys sorted, so two configs compare by content, not by key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const edgeKeyOf = (e: Side['edges'][number]) => `${e.source}:${e.sourceHandle ?? 'next'}->${e.target}`;

/**
 * Compares a draft with the live version: steps added, removed or changed (type, type version,
 * config or canvas label) and connections added or removed, in the draft's order then the live one's.
 */
export function diffVersions(draft: Side, live: Side): VersionDiff {
  const liveNodes = new Map(live.nodes.map((n) => [n.id, n]));
  const draftIds = new Set(draft.nodes.map((n) => n.id));
  const nodes: NodeDiff[] = [];
  for (const n of draft.nodes) {
    const old = liveNodes.get(n.id);
    if (!old) {
      nodes.push({ id: n.id, kind: 'added', type: n.data.type });
      continue;
    }
    const fields: ChangedField[] = [];
    if (old.data.type !== n.data.type) fields.push('type');
    if ((old.data.typeVersion ?? 1) !== (n.data.typeVersion ?? 1)) fields.push('typeVersion');
    if (canonical(old.data.config ?? {}) !== canonical(n.data.config ?? {})) fields.push('config');
    if ((old.data.label ?? '') !== (n.data.label ?? '')) fields.push('label');
    if (fields.length > 0) nodes.push({ id: n.id, kind: 'changed', type: n.data.type, fields });
  }
  for (const n of live.nodes) if (!draftIds.has(n.id)) nodes.push({ id: n.id, kind: 'removed', type: n.data.type });

  const edgeDiff = (e: Side['edges'][number], kind: EdgeDiff['kind']): EdgeDiff => ({
    id: edgeKeyOf(e),
    kind,
    source: e.source,
    port: e.sourceHandle ?? 'next',
    target: e.target,
  });
  const liveEdges = new Set(live.edges.map(edgeKeyOf));
  const draftEdges = new Set(draft.edges.map(edgeKeyOf));
  const edges = [
    ...draft.edges.filter((e) => !liveEdges.has(edgeKeyOf(e))).map((e) => edgeDiff(e, 'added')),
    ...live.edges.filter((e) => !draftEdges.has(edgeKeyOf(e))).map((e) => edgeDiff(e, 'removed')),
  ];
  const settingsChanged = canonical(draft.settings ?? {}) !== canonical(live.settings ?? {});
  return { nodes, edges, settingsChanged };
}

/** True when the draft is the live version, positions aside. */
export function isUnchanged(diff: VersionDiff): boolean {
  return diff.nodes.length === 0 && diff.edges.length === 0 && !diff.settingsChanged;
}
