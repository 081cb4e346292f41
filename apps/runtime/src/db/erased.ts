import { createHash } from 'node:crypto';

/** The suppression entry kept for an erased address: a hash, so no personal data remains. */
export function erasedAddressKey(email: string): string {
  return `sha256:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
}
