import { sign, verify } from '../crypto.ts';

/**
 * The header by which the delivery worker tells the development sink which workspace sent a
 * message. It is added only when mail goes to the built-in sink, signed with the server's link
 * secret (so mail from another program on the machine cannot claim a workspace), and the sink
 * removes it before storing the message.
 */
export const workspaceMarkHeader = 'X-Waymark-Workspace';

const signed = (workspaceId: string, messageId: string) => `dev-inbox\u0000${workspaceId}\u0000${messageId}`;

/** The value of {@link workspaceMarkHeader} for a message of `workspaceId` with this Message-ID. */
export function workspaceMark(secret: string, workspaceId: string, messageId: string): string {
  return `${workspaceId} ${sign(secret, signed(workspaceId, messageId))}`;
}

/** The header block of a raw message split into fields, each with its folded lines and line break. */
function headerFields(raw: string): { fields: string[]; rest: string } {
  const blank = raw.search(/\r?\n\r?\n/);
  // The block keeps the line break of its last field; the rest starts with the blank line.
  const cut = blank < 0 ? raw.length : raw.indexOf('\n', blank) + 1;
  const fields: string[] = [];
  for (const line of raw.slice(0, cut).split(/(?<=\n)/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += line;
    else fields.push(line);
  }
  return { fields, rest: raw.slice(cut) };
}

const isMark = (field: string) =>
  field.slice(0, workspaceMarkHeader.length + 1).toLowerCase() === `${workspaceMarkHeader.toLowerCase()}:`;

/**
 * Reads and removes the workspace mark of a raw message. The workspace is known only when there is
 * exactly one mark and its signature matches the message's Message-ID; the returned source has
 * every mark removed either way, so the inbox never shows it.
 */
export function takeWorkspaceMark(
  secret: string,
  raw: string,
  messageId: string | null,
): { workspaceId: string | null; raw: string } {
  const { fields, rest } = headerFields(raw);
  const marks = fields.filter(isMark);
  if (marks.length === 0) return { workspaceId: null, raw };
  const stripped = fields.filter((f) => !isMark(f)).join('') + rest;
  const value =
    marks.length === 1
      ? (marks[0] ?? '')
          .slice(workspaceMarkHeader.length + 1)
          .replace(/\s+/g, ' ')
          .trim()
      : '';
  const [workspaceId, signature, extra] = value.split(' ');
  const valid =
    workspaceId !== undefined &&
    workspaceId !== '' &&
    signature !== undefined &&
    extra === undefined &&
    messageId !== null &&
    verify(secret, signed(workspaceId, messageId), signature);
  return { workspaceId: valid ? workspaceId : null, raw: stripped };
}
