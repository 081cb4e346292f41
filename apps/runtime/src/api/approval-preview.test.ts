import { describe, expect, it } from 'vitest';
import { emailAfterApproval } from './approval-preview.ts';

const node = (id: string, type: string) => ({ id, type, config: {} });

describe('emailAfterApproval', () => {
  it('finds the nearest email step past other steps of the approved path only', () => {
    const definition = {
      nodes: [
        node('review', 'flow.approval'),
        node('sorry', 'action.sendEmail'),
        node('pause', 'flow.wait'),
        node('check', 'flow.condition'),
        node('far', 'action.sendEmail'),
        node('near', 'action.sendEmail'),
      ],
      edges: [
        { from: 'review', port: 'rejected', to: 'sorry' },
        { from: 'review', port: 'approved', to: 'pause' },
        { from: 'pause', to: 'check' },
        { from: 'check', port: 'yes', to: 'pause' },
        { from: 'check', port: 'no', to: 'near' },
        { from: 'near', to: 'far' },
      ],
    };
    expect(emailAfterApproval(definition, 'review')?.id).toBe('near');
  });

  it('is undefined when approving sends nothing, even around a loop', () => {
    const definition = {
      nodes: [node('review', 'flow.approval'), node('pause', 'flow.wait'), node('sorry', 'action.sendEmail')],
      edges: [
        { from: 'review', port: 'approved', to: 'pause' },
        { from: 'pause', to: 'review' },
        { from: 'review', port: 'rejected', to: 'sorry' },
      ],
    };
    expect(emailAfterApproval(definition, 'review')).toBeUndefined();
  });
});
