import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchema } from './config-json-schema.ts';

type Props = Record<string, Record<string, unknown>>;
const propsOf = (schema: z.ZodType) => configJsonSchema(schema).properties as Props;

describe('configJsonSchema', () => {
  it("keeps an author's pattern message beside the pattern", () => {
    const props = propsOf(
      z.object({
        channel: z
          .string()
          .regex(/^#[a-z]+$/, 'must be a Slack channel such as #sales')
          .meta({ title: 'C' }),
      }),
    );
    expect(props.channel).toEqual({
      type: 'string',
      pattern: '^#[a-z]+$',
      title: 'C',
      errorMessage: { pattern: 'must be a Slack channel such as #sales' },
    });
  });

  it.each([
    {
      name: 'string lengths',
      schema: z.string().min(2, 'short').max(9, 'long'),
      messages: { minLength: 'short', maxLength: 'long' },
    },
    {
      name: 'list lengths',
      schema: z.array(z.string()).min(1, 'one at least'),
      messages: { minItems: 'one at least' },
    },
    {
      name: 'inclusive bounds',
      schema: z.number().min(1, 'low').max(5, { message: 'high' }),
      messages: { minimum: 'low', maximum: 'high' },
    },
    { name: 'exclusive bounds', schema: z.number().gt(0, 'positive'), messages: { exclusiveMinimum: 'positive' } },
    {
      name: 'a format',
      schema: z.email('an email please'),
      messages: { format: 'an email please', pattern: 'an email please' },
    },
    { name: 'the type', schema: z.string({ error: 'must be text' }), messages: { type: 'must be text' } },
  ])('keeps the messages of $name', ({ schema, messages }) => {
    expect(propsOf(z.object({ f: schema })).f?.errorMessage).toEqual(messages);
  });

  it('adds nothing where zod would word the message itself', () => {
    const props = propsOf(z.object({ a: z.string().regex(/^x/).min(1), b: z.number().int().max(3) }));
    expect(props.a?.errorMessage).toBeUndefined();
    expect(props.b?.errorMessage).toBeUndefined();
  });

  it('keeps a message an author computes from the issue only when it reads without one', () => {
    const props = propsOf(
      z.object({
        a: z.string().min(3, { error: (issue) => `at least ${String((issue as { minimum: number }).minimum)}` }),
        b: z.string().min(3, { error: () => ({ message: 'three or more' }) }),
      }),
    );
    expect(props.a?.errorMessage).toEqual({ minLength: 'at least undefined' });
    expect(props.b?.errorMessage).toEqual({ minLength: 'three or more' });
  });
});
