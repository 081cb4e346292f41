import { z } from 'zod';
import { durationSchema, nameSchema } from './primitives.ts';

/** The comparison operators of the conditions language. */
export const comparisonOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'in', 'exists'] as const;
/** One comparison operator. */
export type ComparisonOp = (typeof comparisonOps)[number];

/** A JSON value a condition compares against. */
export type ConditionValue = string | number | boolean | null | ConditionValue[];

const conditionValueSchema: z.ZodType<ConditionValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(conditionValueSchema)]),
);

/** Compares one attribute (of the contact, or of the event inside `where`) with a value. */
export const attributeConditionSchema = z.object({
  attribute: nameSchema,
  op: z.enum(comparisonOps),
  value: conditionValueSchema.optional(),
});

/** Counts the contact's events named `event` (optionally within a window, optionally filtered). */
export interface EventCondition {
  event: string;
  count?: { op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte'; value: number } | undefined;
  within?: string | undefined;
  where?: Condition | undefined;
}

/** A condition of the journey language: attribute and event rules combined with all/any/not. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | z.infer<typeof attributeConditionSchema>
  | EventCondition;

/** The zod schema of {@link Condition}. */
export const conditionSchema: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: z.array(conditionSchema) }),
      z.strictObject({ any: z.array(conditionSchema) }),
      z.strictObject({ not: conditionSchema }),
      attributeConditionSchema.strict(),
      z.strictObject({
        event: nameSchema,
        count: z
          .object({ op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']), value: z.number().int().min(0) })
          .optional(),
        within: durationSchema.optional(),
        where: conditionSchema.optional(),
      }),
    ]),
  )
  .meta({ 'x-waymark-widget': 'condition' });
