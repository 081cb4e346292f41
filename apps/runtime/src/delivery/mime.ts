import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWords, foldLines, quoteString } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/** An email as the delivery worker sends it: one HTML part, one text part, a few headers. */
export interface OutgoingEmail {
  /** `Name <address>` or a bare address. */
  from: string;
  /** A bare address. */
  to: string;
  subject: string;
  html: string;
  text: string;
  /** With angle brackets. */
  messageId: string;
  date: Date;
  /** Extra headers, ASCII values (List-Unsubscribe …). */
  headers: Readonly<Record<string, string>>;
}

function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1);
  return `${address.slice(0, at)}@${domainToASCII(domain) || domain}`;
}

const mailboxes = new Map<string, string>();

/** `mailbox` of the same sender for every email: parsed once. */
function cachedMailbox(value: string): string {
  let hit = mailboxes.get(value);
  if (hit === undefined) {
    hit = mailbox(value);
    if (mailboxes.size > 100) mailboxes.clear();
    mailboxes.set(value, hit);
  }
  return hit;
}

function mailbox(value: string): string {
  const [first] = addressparser(value);
  if (!first || !('address' in first) || !first.address) return asciiAddress(value.trim());
  const address = asciiAddress(first.address);
  const name = first.name?.trim();
  if (!name) return address;
  const shown = /^[\w ]+$/.test(name)
    ? name
    : /^[\x20-\x7e]*$/.test(name)
      ? quoteString(name)
      : encodeWords(name, 'Q', 52, true);
  return `${shown} <${address}>`;
}

function header(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76);
}

/** A character outside printable ASCII, tab and line breaks, or a CR without its LF. */
const notSevenBit = /[^\t\r\n\x20-\x7e]|\r(?!\n)/;

/**
 * Sendable as it is (RFC 5322 §2.1.1): printable ASCII, CRLF line breaks, no line over 998 octets.
 * A native regular expression for the characters and `indexOf` for the line lengths: a loop over
 * the characters of ~15 kB of HTML, or a `{999}` quantifier tried at every position, cost more than
 * all the rest of composing.
 */
function sevenBitSafe(crlf: string): boolean {
  if (notSevenBit.test(crlf)) return false;
  let start = 0;
  for (;;) {
    const end = crlf.indexOf('\r\n', start);
    if ((end < 0 ? crlf.length : end) - start > 998) return false;
    if (end < 0) return true;
    start = end + 2;
  }
}

/**
 * A body part's transfer encoding and content: as it is (`7bit`) when it is short-lined ASCII —
 * MJML's HTML and its text part usually are, and encoding ~15 kB of HTML as quoted-printable was
 * the largest CPU cost of composing an email — else quoted-printable. A part that contains the
 * boundary is always encoded (quoted-printable can never contain `=_`).
 */
function bodyPart(body: string, boundary: string): { encoding: string; content: string } {
  const crlf = body.replace(/\r?\n/g, '\r\n');
  if (sevenBitSafe(crlf) && !crlf.includes(boundary)) return { encoding: '7bit', content: crlf };
  return { encoding: 'quoted-printable', content: qpWrap(qpEncode(Buffer.from(crlf, 'utf8')), 76) };
}

/**
 * Builds the MIME source of an email: `multipart/alternative` with a text and an HTML part, each
 * sent as it is when it is short-lined ASCII, else quoted-printable. It uses nodemailer's encoders (quoted-printable, RFC 2047 words, header folding) but not its
 * general-purpose composer, which cost ~0.9 ms of CPU per message — more than rendering, sending and
 * the database together at 1,000 emails/s. The boundary contains `=_`, which quoted-printable text
 * can never contain, and is derived from the Message-ID so a resent copy is byte-identical but for
 * the Date.
 */
export function composeEmail(mail: OutgoingEmail): Buffer {
  const boundary = `=_wm_${createHash('sha1').update(mail.messageId).digest('hex').slice(0, 24)}`;
  const text = bodyPart(mail.text, boundary);
  const html = bodyPart(mail.html, boundary);
  const lines = [
    header('From', cachedMailbox(mail.from)),
    header('To', mailbox(mail.to)),
    header('Subject', encodeWords(mail.subject.replace(/[\r\n]+/g, ' '), 'Q', 52)),
    `Date: ${mail.date.toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: ${mail.messageId}`,
    ...Object.entries(mail.headers).map(([k, v]) => header(k, v.replace(/[\r\n]+/g, ' '))),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${text.encoding}`,
    '',
    text.content,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    `Content-Transfer-Encoding: ${html.encoding}`,
    '',
    html.content,
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
