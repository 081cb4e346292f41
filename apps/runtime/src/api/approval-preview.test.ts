import { defaultRegistry, findDownstream, type JourneyDefinition, validateJourney } from '@waymark/nodes';
import { describe, expect, it } from 'vitest';

const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, config });
const wait = { duration: 'P1D' };
const email = { template: 'welcome' };

/** The email step the approval preview shows: the nearest `action.sendEmail` past the `approved` port. */
function emailAfterApproval(definition: Pick<JourneyDefinition, 'nodes' | 'edges'>, approvalNode: string) {
  const result = validateJourney({ schemaVersion: 1, id: 'j', settings: {}, ...definition }, defaultRegistry());
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return findDownstream(result.journey, approvalNode, 'action.sendEmail', 'approved');
}

describe('the email an approval releases (findDownstream through the approved port)', () => {
  it('finds the nearest email step past other steps of the approved path only', () => {
    const definition = {
      nodes: [
        node('start', 'trigger.event', { event: 'signed_up' }),
        node('review', 'flow.approval'),
        node('sorry', 'action.sendEmail', email),
        node('pause', 'flow.wait', wait),
        node('check', 'flow.condition', { if: { attribute: 'plan', op: 'eq', value: 'pro' } }),
        node('far', 'action.sendEmail', email),
        node('near', 'action.sendEmail', email),
        node('done', 'flow.exit'),
      ],
      edges: [
        { from: 'start', to: 'review' },
        { from: 'review', port: 'rejected', to: 'sorry' },
        { from: 'review', port: 'timeout', to: 'done' },
        { from: 'review', port: 'approved', to: 'pause' },
        { from: 'sorry', to: 'done' },
        { from: 'pause', to: 'check' },
        { from: 'check', port: 'yes', to: 'pause' },
        { from: 'check', port: 'no', to: 'near' },
        { from: 'near', to: 'far' },
        { from: 'far', to: 'done' },
      ],
    };
    expect(emailAfterApproval(definition, 'review')?.id).toBe('near');
  });

  it('is undefined when approving sends nothing, even around a loop', () => {
    const definition = {
      nodes: [
        node('start', 'trigger.event', { event: 'signed_up' }),
        node('review', 'flow.approval'),
        node('pause', 'flow.wait', wait),
        node('sorry', 'action.sendEmail', email),
        node('done', 'flow.exit'),
      ],
      edges: [
        { from: 'start', to: 'review' },
        { from: 'review', port: 'approved', to: 'pause' },
        { from: 'pause', to: 'review' },
        { from: 'review', port: 'rejected', to: 'sorry' },
        { from: 'review', port: 'timeout', to: 'done' },
        { from: 'sorry', to: 'done' },
      ],
    };
    expect(emailAfterApproval(definition, 'review')).toBeUndefined();
  });
});
