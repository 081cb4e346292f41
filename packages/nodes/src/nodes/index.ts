import type { AnyNodeType } from '../sdk/types.ts';
import { sendEmailNode, updateContactNode, webhookNode } from './action/index.ts';
import { generateSubjectNode, sentimentGuardNode } from './ai/index.ts';
import {
  abTestNode,
  approvalNode,
  conditionNode,
  exitNode,
  splitNode,
  waitForEventNode,
  waitNode,
  waitUntilNode,
} from './flow/index.ts';
import { dateTrigger, eventTrigger, manualTrigger, segmentTrigger } from './trigger/index.ts';

/** Every built-in node type of JOURNEY-FORMAT.md. */
export const builtinNodeTypes: readonly AnyNodeType[] = [
  eventTrigger,
  segmentTrigger,
  manualTrigger,
  dateTrigger,
  waitNode,
  waitUntilNode,
  waitForEventNode,
  conditionNode,
  splitNode,
  abTestNode,
  approvalNode,
  exitNode,
  sendEmailNode,
  updateContactNode,
  webhookNode,
  generateSubjectNode,
  sentimentGuardNode,
];

export {
  abTestNode,
  approvalNode,
  conditionNode,
  dateTrigger,
  eventTrigger,
  exitNode,
  generateSubjectNode,
  manualTrigger,
  segmentTrigger,
  sendEmailNode,
  sentimentGuardNode,
  splitNode,
  updateContactNode,
  waitForEventNode,
  waitNode,
  waitUntilNode,
  webhookNode,
};
