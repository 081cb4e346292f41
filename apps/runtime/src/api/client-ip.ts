import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address a request came from, for the audit trail: the connection's own address, or — behind
 * proxies trusted with WAYMARK_TRUST_PROXY — the address the first trusted proxy saw. X-Forwarded-For
 * is anyone's to write, so it is believed only that many hops back from the connection (`true`:
 * its first entry). Undefined when there is no connection (a request made in process).
 */
export function clientIp(c: Context, trustProxy: number | true | undefined): string | undefined {
  let socket: string | undefined;
  try {
    socket = getConnInfo(c).remote.address;
  } catch {
    // Not served by the Node adapter (`app.request` in a test): no connection, no address.
  }
  if (trustProxy === undefined || trustProxy === 0) return socket || undefined;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (forwarded.length === 0) return socket || undefined;
  // Each trusted proxy appended the address it saw: the n-th entry from the end is the one the
  // outermost trusted proxy received the request from.
  const hops = trustProxy === true ? forwarded.length : Math.min(trustProxy, forwarded.length);
  return forwarded[forwarded.length - hops] || socket || undefined;
}
