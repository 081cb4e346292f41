import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';
import { recordClick, recordOpen, unsubscribe } from './engagement.ts';
import { messageLinks, readLinkToken } from './links.ts';
import { invalidLinkPage, pageHeaders, unsubscribeConfirmPage, unsubscribedPage } from './pages.ts';
import { preferenceRoutes } from './preference-routes.ts';

/** A transparent 1×1 GIF. */
const pixel = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const noStore = { 'cache-control': 'no-store, no-cache, must-revalidate, private', 'referrer-policy': 'no-referrer' };

/**
 * Public routes reached from emails, without authentication (the signed token is the credential):
 * `GET /t/o/:token` open pixel, `GET /t/c/:token` click redirect, `GET|POST /u/:token` unsubscribe
 * (RFC 8058 one-click on POST), `GET|POST /p/:token` the preference center. Mount at the app root.
 *
 * @example
 * app.route('/', trackingRoutes(services));
 */
export function trackingRoutes(services: Services): Hono {
  const router = new Hono();
  const secret = services.secrets.links;

  router.get('/t/o/:token', async (c) => {
    const token = readLinkToken(secret, c.req.param('token'), 'o');
    if (!token) throw new ApiError('invalid_request', 'this tracking link is not valid');
    try {
      if (c.req.method === 'GET') await recordOpen(services.db, token.m);
    } catch (err) {
      // The recipient's mail client must get its image whatever happens to the counters.
      services.log.error('recording an open failed', { message: token.m, err });
    }
    return c.body(new Uint8Array(pixel), 200, { ...noStore, 'content-type': 'image/gif' });
  });

  router.get('/t/c/:token', async (c) => {
    const token = readLinkToken(secret, c.req.param('token'), 'c');
    if (!token) throw new ApiError('invalid_request', 'this link is not valid; it may have been cut off or changed');
    try {
      // Link checkers often send HEAD first: that is not a person clicking.
      if (c.req.method === 'GET') await recordClick(services.db, token.m, token.u);
    } catch (err) {
      services.log.error('recording a click failed', { message: token.m, err });
    }
    // Only ever to the URL that was signed into this message's token: never an open redirect.
    return c.body(null, 302, { ...noStore, location: token.u });
  });

  router.get('/u/:token', (c) => {
    const token = readLinkToken(secret, c.req.param('token'), 'u');
    if (!token) return c.html(invalidLinkPage(), 400, pageHeaders);
    return c.html(unsubscribeConfirmPage(messageLinks(services, token.m).preferencesUrl), 200, pageHeaders);
  });

  // RFC 8058: mailbox providers POST `List-Unsubscribe=One-Click` here without a cookie or a second
  // step; the confirmation page's form posts the same body. Either way the suppression is immediate.
  router.post('/u/:token', async (c) => {
    const token = readLinkToken(secret, c.req.param('token'), 'u');
    if (!token) return c.html(invalidLinkPage(), 400, pageHeaders);
    const email = await unsubscribe(services.db, token.m);
    if (email === undefined) return c.html(invalidLinkPage(), 404, pageHeaders);
    return c.html(unsubscribedPage(email), 200, pageHeaders);
  });

  router.route('/', preferenceRoutes(services));
  return router;
}
