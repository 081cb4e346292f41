import { describe, expect, it } from 'vitest';
import { allowedSubjects } from './subjects.ts';

describe('allowedSubjects', () => {
  const brief = { brief: 'spring sale', variants: 3, maxLength: 30 };

  it('drops lines with a banned word or phrase (whole words, any case), too long or repeated', () => {
    const candidates = [
      'SAVE big this spring',
      'Savings all spring long',
      'Free shipping on everything',
      'Spring sale starts now',
      'spring  sale starts now',
      'A very long subject line that will not fit',
      'Fresh picks for spring',
      'One more for spring',
    ];
    expect(allowedSubjects(candidates, brief, ['save', 'free shipping'])).toEqual([
      'Savings all spring long',
      'Spring sale starts now',
      'Fresh picks for spring',
    ]);
  });

  it('keeps everything that passes when there are no banned words, up to the count asked for', () => {
    expect(allowedSubjects(['  Save now ', 'Save later'], { brief: 'x', variants: 1 }, [])).toEqual(['Save now']);
    expect(allowedSubjects([], brief, ['save'])).toEqual([]);
  });
});
