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

const countOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

/** Compares one attribute (of the contact, or of the event inside `where`) with a value. */
export const attributeConditionSchema = z.object({
  attribute: nameSchema,
  op: z.enum(comparisonOps, { error: oneOf(comparisonOps) }),
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

/** The key that says which kind of condition an object is, in the order of the union's options. */
const kindKeys = ['all', 'any', 'not', 'attribute', 'event'] as const;

const conditionKinds = z.union(
  [
    z.strictObject({ all: z.array(z.lazy(() => conditionSchema)) }),
    z.strictObject({ any: z.array(z.lazy(() => conditionSchema)) }),
    z.strictObject({ not: z.lazy(() => conditionSchema) }),
    attributeConditionSchema.strict(),
    z.strictObject({
      event: nameSchema,
      count: z.object({ op: z.enum(countOps, { error: oneOf(countOps) }), value: z.number().int().min(0) }).optional(),
      within: durationSchema.optional(),
      where: z.lazy(() => conditionSchema).optional(),
    }),
  ],
  { error: `must be a condition: an object with one of ${kindKeys.join(', ')}` },
);

/**
 * zod reports a union that fails as a single "Invalid input" at the union, whatever went wrong inside.
 * A condition names its kind by a key, so the issues of that kind are the ones that explain the
 * failure: they replace the union's issue, keeping their own paths, so that an error names the
 * deepest field that is wrong (`if.all.0.op: must be one of eq, …`). An object with none of the
 * keys keeps the union's issue, which says which keys a condition has.
 */
const runKinds = conditionKinds._zod.run;
conditionKinds._zod.run = (payload, ctx) => {
  const before = payload.issues.length;
  const result = runKinds(payload, ctx);
  if (result instanceof Promise) return result;
  const issue = result.issues[before];
  const value = payload.value;
  if (issue?.code !== 'invalid_union' || result.issues.length !== before + 1) return result;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return result;
  const kind = kindKeys.findIndex((k) => k in value);
  const explained = kind < 0 ? undefined : issue.errors[kind];
  if (!explained || explained.length === 0) return result;
  result.issues.splice(before, 1, ...(explained as unknown as typeof result.issues));
  return result;
};

/** The zod schema of {@link Condition}. */
export const conditionSchema: z.ZodType<Condition> = z
  .lazy(() => conditionKinds)
  .meta({ 'x-waymark-widget': 'condition' });
