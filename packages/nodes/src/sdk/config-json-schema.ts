import { z } from 'zod';

/** The JSON Schema keyword each zod check is written as, so the check's own message can follow it. */
function keywordOf(check: Record<string, unknown>, type: unknown): string[] {
  const list = type === 'array';
  switch (check.check) {
    case 'string_format':
      return check.format === 'regex' ? ['pattern'] : ['format', 'pattern'];
    case 'min_length':
      return [list ? 'minItems' : 'minLength'];
    case 'max_length':
      return [list ? 'maxItems' : 'maxLength'];
    case 'length_equals':
      return list ? ['minItems', 'maxItems'] : ['minLength', 'maxLength'];
    case 'greater_than':
      return [check.inclusive ? 'minimum' : 'exclusiveMinimum'];
    case 'less_than':
      return [check.inclusive ? 'maximum' : 'exclusiveMaximum'];
    case 'multiple_of':
      return ['multipleOf'];
    default:
      return [];
  }
}

/** The fixed message an author gave a check or schema (`.regex(re, 'must be …')`), if any. */
function authorMessage(error: unknown): string | undefined {
  if (typeof error !== 'function') return undefined;
  try {
    const out: unknown = error({});
    if (typeof out === 'string') return out;
    const message = (out as { message?: unknown } | null | undefined)?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

interface ZodInternals {
  _zod?: {
    def?: Record<string, unknown> & { error?: unknown; checks?: { _zod?: { def?: Record<string, unknown> } }[] };
  };
}

/**
 * A node type's config schema as JSON Schema (input side), with the author's own messages kept as
 * `errorMessage: { <keyword>: message }` (the ajv-errors convention) beside the keywords they explain,
 * so a form built from the JSON Schema says "must be a Slack channel such as #sales" where the
 * keyword alone would only give the pattern.
 *
 * @example
 * configJsonSchema(z.object({ channel: z.string().regex(/^#/, 'must start with #') }));
 * // { type: 'object', properties: { channel: { type: 'string', pattern: '^#',
 * //   errorMessage: { pattern: 'must start with #' } } }, ... }
 */
export function configJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const def = (zodSchema as unknown as ZodInternals)._zod?.def;
      const messages: Record<string, string> = {};
      // A format schema such as z.email() is itself a check; its message is the format's.
      const own = def?.check === undefined ? [] : [def];
      for (const checkDef of [...own, ...(def?.checks ?? []).map((c) => c._zod?.def)]) {
        const message = checkDef && authorMessage(checkDef.error);
        if (!checkDef || message === undefined) continue;
        for (const keyword of keywordOf(checkDef, jsonSchema.type)) messages[keyword] ??= message;
      }
      const typeMessage = own.length === 0 ? authorMessage(def?.error) : undefined;
      if (typeMessage !== undefined) messages.type = typeMessage;
      if (Object.keys(messages).length > 0) jsonSchema.errorMessage = messages;
    },
  }) as Record<string, unknown>;
}
