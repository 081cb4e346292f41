import { defineNode, nextPort } from '@waymark/nodes';
import { z } from 'zod';

/** Letters and digits that cannot be misread for one another (no 0/O, 1/I/L). */
export const codeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/**
 * Gives the contact a discount code in an attribute, for the emails after it to show with
 * `{{ contact.discount_code }}`. The code comes from `ctx.random`, whose draws are fixed per contact
 * and node: a retried or replayed step writes the same code, and the simulator shows the real one.
 */
export const discountCode = defineNode({
  type: 'acme.discountCode',
  version: 1,
  category: 'action',
  title: 'Discount code',
  description: 'Generates a discount code and stores it on the contact.',
  icon: 'ticket-percent',
  config: z.strictObject({
    attribute: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be an attribute name such as discount_code')
      .default('discount_code')
      .meta({ title: 'Store in attribute' }),
    prefix: z
      .string()
      .regex(/^[A-Z0-9-]{0,12}$/, 'must be up to 12 capital letters, digits or dashes')
      .default('')
      .meta({ title: 'Prefix', examples: ['SPRING-'] }),
    length: z.number().int().min(4).max(16).default(8).meta({ title: 'Random characters' }),
    keepExisting: z.boolean().default(true).meta({ title: 'Keep a code the contact already has' }),
  }),
  ports: nextPort,
  execute: (ctx, config) => {
    const existing = ctx.contact.attributes[config.attribute];
    if (config.keepExisting && typeof existing === 'string' && existing !== '')
      return { go: 'next', output: { code: existing, reused: true } };
    let code = config.prefix;
    for (let i = 0; i < config.length; i++) code += codeAlphabet[Math.floor(ctx.random() * codeAlphabet.length)];
    return {
      go: 'next',
      effect: { kind: 'updateContact', set: { [config.attribute]: code } },
      output: { code, reused: false },
    };
  },
});
