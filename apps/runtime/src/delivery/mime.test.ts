import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeEmail, type OutgoingEmail } from './mime.ts';

const base: OutgoingEmail = {
  from: 'Acme <news@acme.test>',
  to: 'ann@example.test',
  subject: 'Hello',
  html: '<p>Hi</p>',
  text: 'Hi',
  messageId: '<m1@acme.test>',
  date: new Date('2026-11-30T12:00:00Z'),
  headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
};

describe('composeEmail', () => {
  it('round-trips through a MIME parser: addresses, subject, both parts, headers', async () => {
    const html = `<p style="color:#333">Grüße, Ännchen = 100% — ${'long line '.repeat(30)}</p>\n<a href="https://x.test/?a=1&b=2">x</a>`;
    const text = `Grüße, Ännchen\n\n${'word '.repeat(40)}\nline with trailing space \nLink [https://x.test/?a=1&b=2]`;
    const raw = composeEmail({
      ...base,
      from: 'Café "Owner" <news@acme.test>',
      to: 'Ann@bücher.example',
      subject: `Grüße — ${'a long subject '.repeat(6)}`.trim(),
      html,
      text,
      headers: {
        'List-Unsubscribe': `<https://wm.test/u/${'t'.repeat(120)}>, <mailto:news@acme.test?subject=unsubscribe>`,
      },
    });
    const source = raw.toString();
    expect(source.split('\r\n').every((l) => l.length <= 998)).toBe(true);
    expect(source).not.toMatch(/[^\r]\n/);
    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ name: 'Café Owner', address: 'news@acme.test' }]);
    expect(mail.to).toMatchObject({ value: [{ address: 'Ann@bücher.example' }] });
    expect(source).toContain('To: Ann@xn--bcher-kva.example');
    expect(mail.subject).toBe(`Grüße — ${'a long subject '.repeat(6)}`.trim());
    expect(mail.messageId).toBe('<m1@acme.test>');
    expect(mail.date?.toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect(mail.html).toBe(html);
    expect(mail.text).toBe(text);
    const unsubscribe = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r\n[ \t]+/g, ' ');
    expect(unsubscribe).toBe(
      `List-Unsubscribe: <https://wm.test/u/${'t'.repeat(120)}>, <mailto:news@acme.test?subject=unsubscribe>`,
    );
  });

  it('uses a boundary quoted-printable content can never contain, the same for the same Message-ID', () => {
    const a = composeEmail({ ...base, html: '--=_wm_ trying to end the part early' });
    const b = composeEmail({ ...base, date: new Date('2027-01-01T00:00:00Z') });
    const boundary = /boundary="([^"]+)"/.exec(a.toString())?.[1] ?? '';
    expect(boundary.startsWith('=_wm_')).toBe(true);
    expect(a.toString().split(`--${boundary}`)).toHaveLength(4);
    expect(/boundary="([^"]+)"/.exec(b.toString())?.[1]).toBe(boundary);
  });

  it('sends short-lined ASCII parts as they are and encodes the rest', async () => {
    const html = `<table>\n<tr><td style="font-size:16px">Hello Ann = 100%</td></tr>\n</table>`;
    const long = `<p>${'x'.repeat(1200)}</p>`;
    const plain = await simpleParser(composeEmail({ ...base, html, text: 'Hello Ann\n\nBye' }));
    expect(plain.html).toBe(html);
    expect(plain.text).toBe('Hello Ann\n\nBye');
    const source = composeEmail({ ...base, html, text: 'Grüße' }).toString();
    expect(source).toContain(
      'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<table>\r\n',
    );
    expect(source).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable');
    const wide = composeEmail({ ...base, html: long });
    expect(wide.toString()).toContain(
      'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable',
    );
    expect(
      wide
        .toString()
        .split('\r\n')
        .every((l) => l.length <= 998),
    ).toBe(true);
    expect((await simpleParser(wide)).html).toBe(long);
  });

  it('cannot be made to add headers through a subject with line breaks', async () => {
    const mail = await simpleParser(composeEmail({ ...base, subject: 'Hi\r\nBcc: victim@example.test' }));
    expect(mail.subject).toBe('Hi Bcc: victim@example.test');
    expect(mail.bcc).toBeUndefined();
  });
});
