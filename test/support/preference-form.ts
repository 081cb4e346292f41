import type { ReceivedMail } from '@waymark/runtime/testing';
import { expect } from 'vitest';

/** The preference-center link of the latest email `smtp` received for `address`. */
export async function preferenceLink(smtp: { received: ReceivedMail[] }, address: string): Promise<string> {
  const mails = smtp.received.filter((m) => m.envelope.to.includes(address));
  const parsed = await mails[mails.length - 1]?.parse();
  const link = /href="(http:\/\/localhost:\d+\/p\/[^"]+)"/.exec(String(parsed?.html))?.[1];
  expect(link, `a preference link in the email to ${address}`).toBeDefined();
  return link as string;
}

/**
 * Posts `fields` to `url` as a browser's url-encoded form would (as `userAgent`, if given), without
 * following a redirect; resolves with the status, the redirect target and the page.
 */
export async function postForm(url: string, fields: [string, string][], userAgent?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(userAgent === undefined ? {} : { 'user-agent': userAgent }),
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

/** The fields a browser would post from the `index`th form of a page: hidden inputs and checked boxes. */
export function formFields(html: string, index: number): [string, string][] {
  const form = [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)][index]?.[0] ?? '';
  const fields: [string, string][] = [];
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
    const type = attr('type');
    if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(tag)) continue;
    fields.push([attr('name') ?? '', (attr('value') ?? '').replace(/&#39;/g, "'").replace(/&amp;/g, '&')]);
  }
  return fields;
}

/** `fields` with `name` set to `value` alone, as choosing one radio button does. */
export const withField = (fields: [string, string][], name: string, value: string): [string, string][] => [
  ...fields.filter(([n]) => n !== name),
  [name, value],
];
