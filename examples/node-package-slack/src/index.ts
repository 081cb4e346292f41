/**
 * An example Waymark node package: a Slack notification action (`acme.slackNotify`, versions 1
 * and 2) whose webhook URL is a workspace secret, and a discount-code generator (`acme.discountCode`).
 * The runtime loads it when `WAYMARK_NODE_PACKAGES` names it, and reads exactly these two exports.
 */
import type { AnyEffectExecutor, AnyNodeType } from '@waymark/nodes';
import { discountCode } from './discount-code.ts';
import { slackExecutor } from './slack-effect.ts';
import { slackNotify, slackNotifyV1 } from './slack-notify.ts';

/** Every node type of the package, old versions included, so that published journeys keep running. */
export const nodeTypes: AnyNodeType[] = [slackNotifyV1, slackNotify, discountCode];

/** The executors of the package's custom effect kinds. */
export const effects: AnyEffectExecutor[] = [slackExecutor];

export { codeAlphabet, discountCode } from './discount-code.ts';
export { slackIcon } from './icon.ts';
export { escapeSlack, fillMergeTags, mergeTagProblems } from './merge-tags.ts';
export {
  type SlackEffect,
  slackEffectKind,
  slackEffectSchema,
  slackExecutor,
  slackWebhookSecret,
} from './slack-effect.ts';
export { slackNotify, slackNotifyV1 } from './slack-notify.ts';
