import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';

/** A pooled SMTP transport for a connection URL such as `smtp://user:pass@host:587` or `smtps://…`. */
export function createSmtpTransport(smtpUrl: string, options: { maxConnections?: number } = {}) {
  return nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: options.maxConnections ?? 8,
    maxMessages: Number.POSITIVE_INFINITY,
    // Bounded so that a hung server cannot hold a message past its lease.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
}

/** A pooled SMTP transport as {@link createSmtpTransport} makes it. */
export type SmtpTransport = ReturnType<typeof createSmtpTransport>;

/** What to do with a message whose send failed. */
export type SendFailure =
  /** Try again later: a 4xx answer, a lost or refused connection, a timeout, a rejected login. */
  | { kind: 'retry'; reason: string }
  /** The receiving server refused the message for good (5xx): a bounce. */
  | { kind: 'bounce'; reason: string; responseCode: number }
  /** The message itself cannot be sent (e.g. an address that is not an address). */
  | { kind: 'fail'; reason: string };

/** Sorts an error of nodemailer into retry, bounce or fail. */
export function classifySendError(err: unknown): SendFailure {
  const e = (err ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
    response?: unknown;
    message?: unknown;
  };
  const reason = String(e.response ?? e.message ?? err).slice(0, 1000);
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  // Nodemailer's own checks before anything was sent (invalid address, message too large).
  if (e.command === 'API' && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')) return { kind: 'fail', reason };
  // A permanent answer to the recipient or the message. A 5xx to the login, the greeting or MAIL FROM
  // is about us (configuration, sender reputation), not the recipient, and is retried.
  if (responseCode !== undefined && responseCode >= 500 && (e.command === 'RCPT TO' || e.command === 'DATA'))
    return { kind: 'bounce', reason, responseCode };
  return { kind: 'retry', reason };
}

/** The domain of a From address such as `Waymark <hello@example.com>`. */
export function domainOf(address: string): string {
  const m = /@([^\s>]+)>?\s*$/.exec(address.trim());
  return m?.[1]?.toLowerCase() ?? 'waymark.localhost';
}

/** The bare address of a From address such as `Waymark <hello@example.com>`. */
export function bareAddress(address: string): string {
  const m = /<([^>]+)>\s*$/.exec(address.trim());
  return (m?.[1] ?? address).trim();
}

/**
 * The Message-ID of an outbox row: derived from its workspace and key, so that a message resent
 * after a crash carries the same id as the first copy and receivers can tell they are one message.
 */
export function messageIdFor(workspaceId: string, key: string, fromAddress: string): string {
  const hash = createHash('sha256').update(`${workspaceId}\u0000${key}`).digest('base64url').slice(0, 32);
  return `<${hash}@${domainOf(fromAddress)}>`;
}
