import { z } from 'zod';
import { conditionSchema } from './condition.ts';
import { nameSchema, positiveDurationSchema, timeOfDaySchema, timeZoneSchema } from './primitives.ts';

/** The journey definition version this library writes. */
export const currentSchemaVersion = 1;

/** Journey-wide rules: time zone, re-entry, exit goals, quiet hours and frequency cap. */
export const journeySettingsSchema = z.strictObject({
  timezone: timeZoneSchema.optional().meta({ title: 'Time zone' }),
  reEntry: z.enum(['never', 'afterExit', 'always']).optional().meta({ title: 'Can contacts enter again?' }),
  exitOn: z
    .array(
      z.strictObject({
        event: nameSchema.meta({ title: 'Event name' }),
        // Event-property conditions: the editor's condition builder names properties, not attributes.
        where: conditionSchema.optional().meta({ title: 'Only when the event matches', 'x-waymark-scope': 'event' }),
      }),
    )
    .optional()
    .meta({ title: 'Leave the journey when' }),
  quietHours: z
    .strictObject({ start: timeOfDaySchema.meta({ title: 'From' }), end: timeOfDaySchema.meta({ title: 'Until' }) })
    .optional()
    .meta({ title: 'Quiet hours' }),
  frequencyCap: z
    .strictObject({
      max: z.number().int().min(1).meta({ title: 'At most' }),
      per: positiveDurationSchema.meta({ title: 'Per' }),
    })
    .optional()
    .meta({ title: 'Frequency cap' }),
});
/** Journey-wide rules. */
export type JourneySettings = z.infer<typeof journeySettingsSchema>;

/** One step of a journey: its id, node type, type version and configuration. */
export const journeyNodeSchema = z.strictObject({
  id: nameSchema,
  type: z.string().regex(/^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9-]*)+$/, 'must be a namespaced type such as flow.wait'),
  typeVersion: z.number().int().min(1).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
});
/** One step of a journey. */
export type JourneyNode = z.infer<typeof journeyNodeSchema>;

/** A connection from one node's output port (default `next`) to another node. */
export const journeyEdgeSchema = z.strictObject({
  from: nameSchema,
  port: nameSchema.optional(),
  to: nameSchema,
});
/** A connection between two nodes. */
export type JourneyEdge = z.infer<typeof journeyEdgeSchema>;

/** The journey definition, format version 1 (see JOURNEY-FORMAT.md). */
export const journeyDefinitionSchema = z.strictObject({
  schemaVersion: z.literal(currentSchemaVersion),
  id: nameSchema,
  name: z.string().max(500).optional(),
  settings: journeySettingsSchema.default({}),
  nodes: z.array(journeyNodeSchema),
  edges: z.array(journeyEdgeSchema).default([]),
});
/** A journey definition (output of parsing: defaults applied). */
export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;
/** A journey definition as written (input of parsing: defaults optional). */
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;

/** Canvas positions of a journey's nodes, kept beside the definition so moving a node is not a change. */
export const journeyLayoutSchema = z.strictObject({
  nodes: z.record(z.string(), z.object({ x: z.number(), y: z.number() })),
  viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number() }).optional(),
});
/** Canvas positions of a journey's nodes. */
export type JourneyLayout = z.infer<typeof journeyLayoutSchema>;

/** The JSON Schema of the journey definition, for tools and editors outside TypeScript. */
export function journeyDefinitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(journeyDefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** The identifier an edge of a definition is known by in problems: `from:port->to`. */
export function edgeKey(edge: JourneyEdge): string {
  return `${edge.from}:${edge.port ?? 'next'}->${edge.to}`;
}

/** An event as journeys see it: a name, when it happened and its properties. */
export const journeyEventSchema = z.strictObject({
  event: nameSchema,
  at: z.iso.datetime({ offset: true }),
  properties: z.record(z.string(), z.unknown()).optional(),
});

/** A contact as journeys see it. */
export const journeyContactSchema = z.object({
  id: nameSchema,
  attributes: z.record(z.string(), z.unknown()).default({}),
  suppressed: z.boolean().optional(),
});
/** A contact as journeys see it. */
export type JourneyContact = z.infer<typeof journeyContactSchema>;
