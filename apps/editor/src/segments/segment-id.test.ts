import { describe, expect, it } from 'vitest';
import { segmentIdFor } from './segment-id.ts';

describe('segmentIdFor', () => {
  it('makes an id the API accepts from the name, unique among the taken ones', () => {
    expect(segmentIdFor('Pro customers', [])).toBe('pro-customers');
    expect(segmentIdFor('Pro customers', ['pro-customers', 'pro-customers-2'])).toBe('pro-customers-3');
    expect(segmentIdFor('  Café — VIP!  ', [])).toBe('cafe-vip');
    expect(segmentIdFor('🙂', [])).toBe('segment');
    expect(segmentIdFor('x'.repeat(300), [])).toMatch(/^x{90}$/);
  });
});
