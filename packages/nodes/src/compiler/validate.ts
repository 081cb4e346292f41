import type { z } from 'zod';
import type { Problem } from '../errors.ts';
import { edgeKey, type JourneyDefinition, type JourneyNode, journeyDefinitionSchema } from '../schema/definition.ts';
import { migrateDefinition } from '../schema/migrate.ts';
import { portsOf } from '../sdk/ports.ts';
import type { NodeRegistry } from '../sdk/registry.ts';
import type { AnyNodeType, PortSpec } from '../sdk/types.ts';

/** A node ready to execute: its type resolved, its config parsed, its ports wired. */
export interface PreparedNode {
  readonly node: JourneyNode;
  readonly nodeType: AnyNodeType;
  readonly config: unknown;
  readonly ports: readonly PortSpec[];
  /** Port id to the id of the node it leads to. */
  readonly out: ReadonlyMap<string, string>;
}

/** A journey that passed validation, indexed for the interpreter. */
export interface PreparedJourney {
  readonly definition: JourneyDefinition;
  readonly nodes: ReadonlyMap<string, PreparedNode>;
  readonly triggers: readonly PreparedNode[];
}

/** The outcome of validating a journey: the prepared journey, or every problem found. */
export type ValidationResult =
  | { ok: true; journey: PreparedJourney; problems: [] }
  | { ok: false; problems: Problem[] };

function zodProblems(error: z.ZodError, base: (string | number)[], nodeId?: string): Problem[] {
  return error.issues.map((issue) => {
    const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const where = path.length > 0 ? `${path.join('.')}: ` : '';
    const p: Problem = { code: 'invalid_definition', message: `${where}${issue.message}`, path };
    if (nodeId !== undefined) p.nodeId = nodeId;
    if (path[0] === 'settings' && path[1] === 'timezone') p.code = 'invalid_timezone';
    return p;
  });
}

const maxDepth = 64;

/** Nesting depth of a JSON value, measured without recursion so hostile input cannot overflow the stack. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (d > limit) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

function structureProblems(error: z.ZodError, doc: Record<string, unknown>): Problem[] {
  const nodes = Array.isArray(doc.nodes) ? (doc.nodes as { id?: unknown }[]) : [];
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const p: Problem = {
      code: 'invalid_definition',
      message: `${path.join('.') || 'definition'}: ${issue.message}`,
      path,
    };
    if (path[0] === 'nodes' && typeof path[1] === 'number') {
      const id = nodes[path[1]]?.id;
      if (typeof id === 'string') p.nodeId = id;
    }
    if (path[0] === 'settings' && path[1] === 'timezone') p.code = 'invalid_timezone';
    return p;
  });
}

function parseStructure(
  input: unknown,
): { ok: true; definition: JourneyDefinition; problems: Problem[] } | { ok: false; problems: Problem[] } {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      return { ok: false, problems: [{ code: 'invalid_json', message: `not valid JSON: ${(e as Error).message}` }] };
    }
  }
  if (depthExceeds(doc, maxDepth))
    return {
      ok: false,
      problems: [{ code: 'invalid_definition', message: `the definition is nested more than ${maxDepth} levels deep` }],
    };
  const migrated = migrateDefinition(doc);
  if (!migrated.ok) return migrated;
  const parsed = journeyDefinitionSchema.safeParse(migrated.doc);
  if (parsed.success) return { ok: true, definition: parsed.data, problems: [] };
  const problems = structureProblems(parsed.error, migrated.doc);
  // Bad settings do not hide problems in the graph: check the graph with default settings too.
  if (problems.every((p) => p.path?.[0] === 'settings')) {
    const retry = journeyDefinitionSchema.safeParse({ ...migrated.doc, settings: {} });
    if (retry.success) return { ok: true, definition: retry.data, problems };
  }
  return { ok: false, problems };
}

function checkNodes(definition: JourneyDefinition, registry: NodeRegistry, problems: Problem[]) {
  const prepared = new Map<string, { node: JourneyNode; nodeType: AnyNodeType; config: unknown; ports: PortSpec[] }>();
  const seen = new Set<string>();
  for (const node of definition.nodes) {
    if (seen.has(node.id)) {
      problems.push({
        code: 'duplicate_node_id',
        message: `node id "${node.id}" is used more than once`,
        nodeId: node.id,
      });
      continue;
    }
    seen.add(node.id);
    const version = node.typeVersion ?? 1;
    if (!registry.has(node.type)) {
      problems.push({
        code: 'unknown_node_type',
        message: `unknown node type "${node.type}"`,
        nodeId: node.id,
        path: ['type'],
      });
      continue;
    }
    const nodeType = registry.get(node.type, version);
    if (!nodeType) {
      problems.push({
        code: 'unknown_node_version',
        message: `node type ${node.type} has no version ${version} (known: ${registry.versions(node.type).join(', ')})`,
        nodeId: node.id,
        path: ['typeVersion'],
      });
      continue;
    }
    const parsed = nodeType.config.safeParse(node.config);
    if (!parsed.success) {
      for (const p of zodProblems(parsed.error, [], node.id))
        problems.push({ ...p, code: 'invalid_config', message: `${nodeType.title}: ${p.message}` });
      continue;
    }
    let extras: ReturnType<NonNullable<AnyNodeType['check']>> = [];
    try {
      extras = nodeType.check?.(parsed.data) ?? [];
    } catch (e) {
      // A package's check that throws (or is stopped at its time limit) is a problem of this node only.
      problems.push({
        code: 'invalid_config',
        message: `${nodeType.title}: the config check failed: ${e instanceof Error ? e.message : String(e)}`,
        nodeId: node.id,
        path: [],
      });
    }
    for (const extra of extras)
      problems.push({
        code: extra.code ?? 'invalid_config',
        message: `${nodeType.title}: ${extra.path.join('.')}: ${extra.message}`,
        nodeId: node.id,
        path: extra.path,
      });
    prepared.set(node.id, { node, nodeType, config: parsed.data, ports: portsOf(nodeType.ports, parsed.data) });
  }
  return { prepared, ids: seen };
}

function checkEdges(
  definition: JourneyDefinition,
  ids: ReadonlySet<string>,
  prepared: ReadonlyMap<string, { node: JourneyNode; nodeType: AnyNodeType; ports: PortSpec[] }>,
  problems: Problem[],
) {
  const out = new Map<string, Map<string, string>>();
  for (const edge of definition.edges) {
    const edgeId = edgeKey(edge);
    const port = edge.port ?? 'next';
    if (!ids.has(edge.from)) {
      problems.push({ code: 'edge_from_missing_node', message: `edge starts at missing node "${edge.from}"`, edgeId });
      continue;
    }
    if (!ids.has(edge.to)) {
      problems.push({
        code: 'edge_to_missing_node',
        message: `edge leads to missing node "${edge.to}"`,
        edgeId,
        nodeId: edge.from,
      });
      continue;
    }
    const from = prepared.get(edge.from);
    const to = prepared.get(edge.to);
    if (to?.nodeType.category === 'trigger')
      problems.push({
        code: 'edge_into_trigger',
        message: `${to.nodeType.title} starts a journey; nothing can lead into it`,
        edgeId,
        nodeId: edge.to,
      });
    if (!from) continue;
    if (from.nodeType.type === 'flow.exit') {
      problems.push({
        code: 'exit_has_outgoing_edges',
        message: 'an exit ends the journey; it cannot lead anywhere',
        edgeId,
        nodeId: edge.from,
      });
      continue;
    }
    if (!from.ports.some((p) => p.id === port)) {
      const known = from.ports.map((p) => p.id).join(', ') || 'none';
      problems.push({
        code: 'unknown_port',
        message: `${from.nodeType.title} has no output "${port}" (outputs: ${known})`,
        edgeId,
        nodeId: edge.from,
      });
      continue;
    }
    let ports = out.get(edge.from);
    if (!ports) {
      ports = new Map();
      out.set(edge.from, ports);
    }
    if (ports.has(port)) {
      problems.push({
        code: 'duplicate_port_edge',
        message: `output "${port}" of ${from.nodeType.title} is connected more than once`,
        edgeId,
        nodeId: edge.from,
      });
      continue;
    }
    ports.set(port, edge.to);
  }
  for (const { node, nodeType, ports } of prepared.values()) {
    for (const port of ports)
      if (!out.get(node.id)?.has(port.id))
        problems.push({
          code: 'dangling_port',
          message: `output "${port.label}" of ${nodeType.title} is not connected`,
          nodeId: node.id,
          path: ['ports', port.id],
        });
  }
  return out;
}

/** Strongly connected components (Tarjan), iterative so large journeys cannot overflow the stack. */
function stronglyConnected(ids: readonly string[], next: (id: string) => Iterable<string>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; it: Iterator<string> }[] = [{ id: root, it: next(root)[Symbol.iterator]() }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; it: Iterator<string> };
      const step = frame.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ id: w, it: next(w)[Symbol.iterator]() });
        } else if (onStack.has(w)) low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(w) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.id);
        components.push(component);
      }
    }
  }
  return components;
}

function checkGraph(
  definition: JourneyDefinition,
  registry: NodeRegistry,
  prepared: ReadonlyMap<string, { node: JourneyNode; nodeType: AnyNodeType }>,
  out: ReadonlyMap<string, ReadonlyMap<string, string>>,
  problems: Problem[],
) {
  const isTrigger = (n: JourneyNode) => registry.get(n.type, n.typeVersion ?? 1)?.category === 'trigger';
  const triggers = definition.nodes.filter(isTrigger);
  if (definition.nodes.length === 0)
    problems.push({ code: 'no_trigger', message: 'the journey is empty: add a trigger' });
  else if (triggers.length === 0)
    problems.push({ code: 'no_trigger', message: 'the journey needs a trigger to say who enters it' });
  // Reachability follows every edge between existing nodes, so one broken node does not make
  // everything after it "unreachable" as well.
  const ids = new Set(definition.nodes.map((n) => n.id));
  const adjacency = new Map<string, string[]>();
  for (const e of definition.edges)
    if (ids.has(e.from) && ids.has(e.to)) adjacency.set(e.from, [...(adjacency.get(e.from) ?? []), e.to]);
  const reached = new Set<string>();
  const queue = triggers.map((t) => t.id);
  for (const id of queue) reached.add(id);
  while (queue.length > 0) {
    for (const to of adjacency.get(queue.pop() as string) ?? [])
      if (!reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
  }
  if (triggers.length > 0)
    for (const { node, nodeType } of prepared.values())
      if (!reached.has(node.id))
        problems.push({
          code: 'unreachable_node',
          message: `${nodeType.title} cannot be reached from any trigger`,
          nodeId: node.id,
        });
  const next = (id: string) => out.get(id)?.values() ?? [];
  for (const component of stronglyConnected([...prepared.keys()], next)) {
    const first = component[0] as string;
    const loops = component.length > 1 || [...next(first)].includes(first);
    if (!loops || component.some((id) => prepared.get(id)?.nodeType.waits)) continue;
    for (const id of component)
      problems.push({
        code: 'cycle_without_wait',
        message: `these steps loop without waiting: ${component.join(' → ')}; add a wait to the loop`,
        nodeId: id,
      });
  }
}

/**
 * Validates a journey definition (an object or JSON text) and prepares it for execution, collecting
 * every problem instead of stopping at the first.
 *
 * @example
 * const result = validateJourney(json, defaultRegistry());
 * if (!result.ok) for (const p of result.problems) console.log(p.code, p.nodeId, p.message);
 */
export function validateJourney(input: unknown, registry: NodeRegistry): ValidationResult {
  const structure = parseStructure(input);
  if (!structure.ok) return structure;
  const { definition } = structure;
  const problems: Problem[] = [...structure.problems];
  const { prepared, ids } = checkNodes(definition, registry, problems);
  const out = checkEdges(definition, ids, prepared, problems);
  checkGraph(definition, registry, prepared, out, problems);
  if (problems.length > 0) return { ok: false, problems };
  const nodes = new Map<string, PreparedNode>();
  for (const [id, p] of prepared) nodes.set(id, { ...p, out: out.get(id) ?? new Map() });
  const triggers = [...nodes.values()].filter((p) => p.nodeType.category === 'trigger');
  return { ok: true, journey: { definition, nodes, triggers }, problems: [] };
}
