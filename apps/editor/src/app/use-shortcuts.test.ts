import { describe, expect, it } from 'vitest';
import { shortcutOf } from './use-shortcuts.ts';

const key = (k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('shortcutOf', () => {
  it.each([
    [key('z', { ctrl: true }), 'undo'],
    [key('Z', { ctrl: true, shift: true }), 'redo'],
    [key('y', { meta: true }), 'redo'],
    [key('c', { ctrl: true }), 'copy'],
    [key('v', { ctrl: true }), 'paste'],
    [key('d', { ctrl: true }), 'duplicate'],
    [key('a', { ctrl: true }), 'selectAll'],
    [key('L', { ctrl: true, shift: true }), 'layout'],
    [key('?', { shift: true }), 'help'],
  ] as const)('reads %o as %s', (e, which) => {
    expect(shortcutOf(e)).toBe(which);
  });

  it.each([
    key('a'),
    key('z'),
    key('?', { ctrl: true }),
    key('z', { ctrl: true, alt: true }),
    key('c', { ctrl: true, shift: true }),
  ])('leaves %o to the browser', (e) => {
    expect(shortcutOf(e)).toBeUndefined();
  });
});
