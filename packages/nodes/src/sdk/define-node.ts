import type { z } from 'zod';
import type { NodeType, PortSpec } from './types.ts';

/** The fields of a node type as an author writes them; `waits` defaults to false. */
export type NodeTypeInput<S extends z.ZodType> = Omit<NodeType<z.output<S>>, 'config' | 'waits'> & {
  config: S;
  waits?: boolean;
};

/**
 * Defines a node type. Built-in and custom nodes are made the same way.
 *
 * @example
 * import { defineNode } from '@waymark/nodes';
 * import { z } from 'zod';
 *
 * export const tagContact = defineNode({
 *   type: 'acme.tag', version: 1, category: 'action',
 *   title: 'Tag contact', description: 'Adds a tag attribute', icon: 'tag',
 *   config: z.object({ tag: z.string().min(1) }),
 *   ports: [{ id: 'next', label: 'Next' }],
 *   execute: (_ctx, config) => ({ go: 'next', effect: { kind: 'updateContact', set: { [config.tag]: true } } }),
 * });
 */
export function defineNode<S extends z.ZodType>(input: NodeTypeInput<S>): NodeType<z.output<S>> {
  return Object.freeze({ ...input, waits: input.waits ?? false }) as NodeType<z.output<S>>;
}

/** The single `next` port most nodes have. */
export const nextPort: PortSpec[] = [{ id: 'next', label: 'Next' }];
