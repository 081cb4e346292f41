import { describe, expect, it } from 'vitest';
import { takeWorkspaceMark, workspaceMark } from './workspace-mark.ts';

const secret = 'test-secret';
const id = '<m1@acme.test>';
const message = (...headers: string[]) =>
  [...headers, `Message-ID: ${id}`, 'Subject: Hi', '', 'X-Waymark-Workspace: in the body stays', ''].join('\r\n');

describe('workspace mark of the development sink', () => {
  it('reads a valid mark and removes it from the headers, wherever it is and however folded', () => {
    const mark = workspaceMark(secret, 'ws_a', id);
    for (const header of [`X-Waymark-Workspace: ${mark}`, `x-waymark-workspace:\r\n ${mark}`]) {
      const read = takeWorkspaceMark(secret, message('From: a@acme.test', header), id);
      expect(read.workspaceId).toBe('ws_a');
      expect(read.raw).toBe(message('From: a@acme.test'));
      const last = takeWorkspaceMark(
        secret,
        [`From: a@acme.test`, `Message-ID: ${id}`, header, '', 'body'].join('\r\n'),
        id,
      );
      expect(last).toEqual({
        workspaceId: 'ws_a',
        raw: ['From: a@acme.test', `Message-ID: ${id}`, '', 'body'].join('\r\n'),
      });
    }
  });

  it('knows no workspace without a mark, with a forged one, one for another message, or two of them', () => {
    const mark = workspaceMark(secret, 'ws_a', id);
    expect(takeWorkspaceMark(secret, message(), id)).toEqual({ workspaceId: null, raw: message() });
    const cases = [
      [`X-Waymark-Workspace: ws_b ${mark.split(' ')[1]}`],
      [`X-Waymark-Workspace: ${workspaceMark('other-secret', 'ws_a', id)}`],
      [`X-Waymark-Workspace: ${workspaceMark(secret, 'ws_a', '<m2@acme.test>')}`],
      [`X-Waymark-Workspace: ${mark}`, `X-Waymark-Workspace: ${mark}`],
      [`X-Waymark-Workspace: ${mark} extra`],
    ];
    for (const headers of cases) {
      const read = takeWorkspaceMark(secret, message(...headers), id);
      expect(read).toEqual({ workspaceId: null, raw: message() });
    }
    expect(takeWorkspaceMark(secret, message(`X-Waymark-Workspace: ${mark}`), null).workspaceId).toBeNull();
  });
});
