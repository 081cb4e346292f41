import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { clientIp } from '../api/client-ip.ts';
import {
  findPreferenceTarget,
  loadPreferenceState,
  type PreferenceChoice,
  type PreferenceEvidence,
  pauseDays,
  preferenceCenterSource,
  savePreferences,
} from '../audience/preferences.ts';
import type { EmailFrequency } from '../db/preferences-schema.ts';
import type { Services } from '../services.ts';
import { unsubscribe } from './engagement.ts';
import { readLinkToken } from './links.ts';
import { invalidLinkPage, pageHeaders, unsubscribedPage } from './pages.ts';
import { invalidChoicePage, preferencePage } from './preference-page.ts';

const topicId = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const frequencies: readonly EmailFrequency[] = ['every', 'weekly', 'digest'];

/** A form field that is not what the page posts: shown to the contact with the field's name. */
class ChoiceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type FormValue = string | File | (string | File)[] | undefined;

function texts(value: FormValue): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'string' ? v : ''));
}

function one(form: Record<string, FormValue>, field: string): string {
  const [value, ...more] = texts(form[field]);
  if (value === undefined || more.length > 0) throw new ChoiceError(field, 'choose exactly one option');
  return value;
}

/** Reads the preference form; throws {@link ChoiceError} naming the first field that is wrong. */
export function parseChoice(form: Record<string, FormValue>): PreferenceChoice {
  const listed = texts(form.topics);
  const subscribed = new Set(texts(form.subscribed));
  for (const t of [...listed, ...subscribed])
    if (!topicId.test(t)) throw new ChoiceError('topics', `"${t.slice(0, 100)}" is not a topic`);
  for (const t of subscribed)
    if (!listed.includes(t)) throw new ChoiceError('subscribed', `"${t}" is not one of the topics shown`);
  const frequency = one(form, 'frequency');
  if (!frequencies.includes(frequency as EmailFrequency))
    throw new ChoiceError('frequency', `must be one of ${frequencies.join(', ')}`);
  const pause = one(form, 'pause');
  const days = pauseDays.find((d) => String(d) === pause);
  if (pause !== 'keep' && pause !== 'none' && days === undefined)
    throw new ChoiceError('pause', `must be keep, none or one of ${pauseDays.join(', ')} (days)`);
  return {
    topics: new Map(listed.map((t) => [t, subscribed.has(t)])),
    frequency: frequency as EmailFrequency,
    pause: days ?? (pause as 'keep' | 'none'),
  };
}

function evidenceOf(c: Context, services: Services): PreferenceEvidence {
  return { ip: clientIp(c, services.config.trustProxy), userAgent: c.req.header('user-agent')?.slice(0, 500) };
}

/**
 * The hosted preference center, reached from the signed `preferences_url` of every email without a
 * login (the token is the credential; it names the message, and through it the contact):
 * `GET /p/:token` shows it, `POST /p/:token` saves the form (`action=save`) or unsubscribes from all
 * email (`action=unsubscribe`). A tampered token gets a 400 page and an erased contact a 404, never
 * data. Mounted by {@link trackingRoutes}.
 */
export function preferenceRoutes(services: Services): Hono {
  const router = new Hono();
  const secret = services.secrets.links;

  const target = async (token: string) => {
    const read = readLinkToken(secret, token, 'p');
    if (!read) return { status: 400 as const };
    const found = await findPreferenceTarget(services.db, read.m);
    return found ? { status: 200 as const, target: found } : { status: 404 as const };
  };

  router.get('/p/:token', async (c) => {
    const found = await target(c.req.param('token'));
    if (found.status !== 200) return c.html(invalidLinkPage(), found.status, pageHeaders);
    const state = await loadPreferenceState(services.db, found.target);
    if (!state) return c.html(invalidLinkPage(), 404, pageHeaders);
    const notice = c.req.query('saved') === '1' ? 'Your preferences are saved.' : undefined;
    return c.html(preferencePage(state, notice), 200, pageHeaders);
  });

  router.post('/p/:token', bodyLimit({ maxSize: 64 * 1024 }), async (c) => {
    const found = await target(c.req.param('token'));
    if (found.status !== 200) return c.html(invalidLinkPage(), found.status, pageHeaders);
    const form = (await c.req.parseBody({ all: true })) as Record<string, FormValue>;
    const evidence = evidenceOf(c, services);
    let action: string;
    try {
      action = one(form, 'action');
      if (action === 'unsubscribe') {
        const email = await unsubscribe(services.db, found.target.messageId, new Date(), {
          source: preferenceCenterSource,
          ...evidence,
        });
        if (email === undefined) return c.html(invalidLinkPage(), 404, pageHeaders);
        return c.html(unsubscribedPage(email), 200, pageHeaders);
      }
      if (action !== 'save') throw new ChoiceError('action', 'must be save or unsubscribe');
      const saved = await savePreferences(services.db, found.target, parseChoice(form), evidence);
      if (!saved) return c.html(invalidLinkPage(), 404, pageHeaders);
      // What the digest held is now a digest due at once.
      if (saved.released > 0) services.wake.delivery();
    } catch (err) {
      if (err instanceof ChoiceError) return c.html(invalidChoicePage(err.field, err.message), 400, pageHeaders);
      throw err;
    }
    // Post/redirect/get: reloading the page shows it again instead of posting the form a second time.
    return c.body(null, 303, {
      location: `${c.req.path}?saved=1`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
  });

  return router;
}
