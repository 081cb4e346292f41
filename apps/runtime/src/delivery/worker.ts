import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { deliveryChannel } from '../db/events.ts';
import { rowsOf } from '../db/rows.ts';
import { heldEmails, outbox, workspaces } from '../db/schema.ts';
import { workspaceMark, workspaceMarkHeader } from '../dev-smtp/workspace-mark.ts';
import { listenToOthers, type Services } from '../services.ts';
import { renderEmail } from '../templates/render.ts';
import { RenderError } from '../templates/render-error.ts';
import { messageLinks } from '../tracking/links.ts';
import { composeDigest, gatherDueDigests } from './digest.ts';
import {
  claimEmails,
  type EmailRow,
  type HeldContent,
  isDigest,
  type Outcome,
  type Settlement,
  settle,
} from './email-queue.ts';
import { composeEmail } from './mime.ts';
import { RateLimiter } from './rate-limit.ts';
import { loadSendPolicy } from './send-policy.ts';
import { bareAddress, classifySendError, createSmtpTransport, messageIdFor, type SmtpTransport } from './smtp.ts';

/** Settings of the delivery worker; all but `smtpUrl` have defaults fit for production. */
export interface DeliveryOptions {
  /** Where to send, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@smtp.example.com`. */
  smtpUrl: string;
  /** Rows claimed per transaction. */
  batchSize?: number;
  /** Batches in flight at once in this process. */
  concurrency?: number;
  /** How long a claim lasts; a row still `sending` after it is claimed again (the worker died). */
  leaseMs?: number;
  /** Polling interval, in case a NOTIFY was missed. */
  pollMs?: number;
  /** First retry delay; doubled on each further attempt, up to `retryMaxMs`, with ±20 % jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Attempts after which a message that keeps failing temporarily is given up (status `failed`). */
  maxAttempts?: number;
  /** Longest wait for the workspace's rate limit inside a batch; longer waits put the row back. */
  maxRateWaitMs?: number;
  /** SMTP connections in the pool. */
  maxConnections?: number;
  /** How often a process looks for weekly digests that are due (see `gatherDueDigests`). */
  digestPollMs?: number;
  /** The `mailto:` of List-Unsubscribe; the From address when not set. */
  unsubscribeMailto?: string;
  /**
   * Set (to the server's link secret) when mail goes to the built-in development sink: each message
   * then carries its workspace in a signed header, so that the inbox shows a workspace only its own mail.
   */
  devSinkSecret?: string | undefined;
}

/** A running delivery worker. */
export interface Delivery {
  /** Listens on the delivery channel and polls; sends until stopped. */
  start(): Promise<void>;
  /** Stops claiming, waits for the batches in flight and closes the SMTP pool. */
  stop(): Promise<void>;
  /** Claims, sends and settles one batch; returns how many rows it claimed. */
  runOnce(): Promise<number>;
  /** Starts a round now (e.g. right after this process wrote outbox rows). */
  wake(): void;
}

interface Recipient {
  email: string | null;
  attributes: Record<string, unknown>;
}

/** A held email a digest carries, with its content. */
interface DigestPart {
  row: EmailRow;
  content: HeldContent;
}

const rateCacheMs = 10_000;

/** A JSON value from a raw row: postgres.js parses json, PGlite may hand over text. */
const jsonOf = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/**
 * The email delivery worker: claims due `email` rows of the outbox in batches, renders each for its
 * contact, checks the suppression list, sends through a pooled SMTP transport within the
 * workspace's rate, and writes the outcomes (sent, skipped, failed, bounced, retry) back in one
 * transaction per batch.
 *
 * @example
 * const delivery = createDelivery(services, { smtpUrl: 'smtp://127.0.0.1:2525' });
 * await delivery.start();
 * // …
 * await delivery.stop();
 */
export function createDelivery(services: Services, options: DeliveryOptions): Delivery {
  const batchSize = options.batchSize ?? 200;
  const concurrency = options.concurrency ?? 2;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 1000;
  const retryBaseMs = options.retryBaseMs ?? 30_000;
  const retryMaxMs = options.retryMaxMs ?? 3_600_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const maxRateWaitMs = options.maxRateWaitMs ?? 2_000;
  const digestPollMs = options.digestPollMs ?? 60_000;
  const clock = () => services.clock?.() ?? Date.now();
  const from = services.config.fromAddress;
  const envelopeFrom = bareAddress(from);
  const mailto = options.unsubscribeMailto ?? envelopeFrom;
  const db: Db = services.db;
  const log = services.log;
  const limiter = new RateLimiter();
  const rates = new Map<string, { rate: number; name: string; until: number }>();
  let transport: SmtpTransport | null = null;

  const smtp = () => {
    transport ??= createSmtpTransport(
      options.smtpUrl,
      options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections },
    );
    return transport;
  };

  async function loadRates(workspaceIds: string[]): Promise<void> {
    const now = Date.now();
    const missing = workspaceIds.filter((w) => (rates.get(w)?.until ?? 0) <= now);
    if (missing.length === 0) return;
    const rows = await db
      .select({ id: workspaces.id, rate: workspaces.sendRatePerSecond, name: workspaces.name })
      .from(workspaces)
      .where(inArray(workspaces.id, missing));
    for (const r of rows) rates.set(r.id, { rate: r.rate, name: r.name, until: now + rateCacheMs });
  }

  /** The held emails each digest of the batch carries (those still held: an unsubscribe drops them), in order. */
  async function loadDigestParts(rows: EmailRow[]): Promise<Map<number, DigestPart[]>> {
    const digests = rows.filter(isDigest);
    const parts = new Map<number, DigestPart[]>();
    if (digests.length === 0) return parts;
    const found = await db
      .select({ row: outbox, subject: heldEmails.subject, html: heldEmails.html, text: heldEmails.text })
      .from(outbox)
      .innerJoin(heldEmails, eq(heldEmails.outboxId, outbox.id))
      .where(
        and(
          eq(outbox.status, 'held'),
          inArray(outbox.workspaceId, [...new Set(digests.map((d) => d.workspaceId))]),
          inArray(outbox.contactId, [...new Set(digests.map((d) => d.contactId))]),
          inArray(
            outbox.digestId,
            digests.map((d) => d.id),
          ),
        ),
      )
      .orderBy(asc(outbox.id));
    for (const f of found) {
      const digestId = f.row.digestId as number;
      parts.set(digestId, [
        ...(parts.get(digestId) ?? []),
        { row: f.row, content: { subject: f.subject, html: f.html, text: f.text } },
      ]);
    }
    return parts;
  }

  /**
   * Contacts (with whether their address is suppressed) and templates of a batch: ONE query whatever
   * its size, the keys going in as JSON and the rows coming back as JSON.
   */
  async function loadBatch(rows: EmailRow[]) {
    const contactKeys = new Map<string, { w: string; c: string }>();
    const templateKeys = new Map<string, { w: string; t: string }>();
    for (const r of rows) {
      contactKeys.set(`${r.workspaceId}\u0000${r.contactId}`, { w: r.workspaceId, c: r.contactId });
      if (typeof r.payload.template === 'string')
        templateKeys.set(`${r.workspaceId}\u0000${r.payload.template}`, { w: r.workspaceId, t: r.payload.template });
    }
    const [loaded] = rowsOf<{ contacts: unknown; templates: unknown }>(
      await db.execute(sql`
        with ck as (select * from jsonb_to_recordset(${JSON.stringify([...contactKeys.values()])}::jsonb) as k(w text, c text)),
             tk as (select * from jsonb_to_recordset(${JSON.stringify([...templateKeys.values()])}::jsonb) as k(w text, t text))
        select
          (select json_agg(json_build_object('w', c.workspace_id, 'id', c.id, 'email', c.email, 'a', c.attributes,
             'x', c.email is not null and exists (select 1 from suppressions s
               where s.workspace_id = c.workspace_id and s.email = lower(regexp_replace(c.email, '^\\s+|\\s+$', '', 'g')))))
           from contacts c join ck on c.workspace_id = ck.w and c.id = ck.c) as contacts,
          (select json_agg(json_build_object('w', t.workspace_id, 'id', t.id, 'subject', t.subject, 'mjml', t.mjml))
           from templates t join tk on t.workspace_id = tk.w and t.id = tk.t) as templates`),
    );
    const recipients = new Map<string, Recipient>();
    const suppressedSet = new Set<string>();
    type Loaded = { w: string; id: string; email: string | null; a: Record<string, unknown>; x: boolean };
    for (const c of jsonOf<Loaded[] | null>(loaded?.contacts) ?? []) {
      recipients.set(`${c.w}\u0000${c.id}`, { email: c.email, attributes: c.a });
      if (c.x && c.email) suppressedSet.add(`${c.w}\u0000${c.email.trim().toLowerCase()}`);
    }
    type LoadedTemplate = { w: string; id: string; subject: string; mjml: string };
    const templateMap = new Map<string, { workspaceId: string; id: string; subject: string; mjml: string }>();
    for (const t of jsonOf<LoadedTemplate[] | null>(loaded?.templates) ?? [])
      templateMap.set(`${t.w}\u0000${t.id}`, { workspaceId: t.w, id: t.id, subject: t.subject, mjml: t.mjml });

    await loadRates([...new Set(rows.map((r) => r.workspaceId))]);
    const digestParts = await loadDigestParts(rows);
    const policy = await loadSendPolicy(db, [...rows, ...[...digestParts.values()].flat().map((p) => p.row)]);
    return { recipients, templates: templateMap, suppressed: suppressedSet, policy, digestParts };
  }

  function retryDelay(attempts: number): number {
    const base = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return base * (0.8 + Math.random() * 0.4);
  }

  type Batch = Awaited<ReturnType<typeof loadBatch>>;

  /** The contact of a row and its address, or why it cannot be mailed (missing, no address, suppressed). */
  function recipientOf(row: EmailRow, batch: Batch): { contact: Recipient; email: string } | Outcome {
    const contact = batch.recipients.get(`${row.workspaceId}\u0000${row.contactId}`);
    if (!contact) return { status: 'failed', error: `contact_not_found: contact "${row.contactId}" does not exist` };
    const email = contact.email?.trim();
    if (!email) return { status: 'failed', error: `contact_no_email: contact "${row.contactId}" has no email address` };
    if (batch.suppressed.has(`${row.workspaceId}\u0000${email.toLowerCase()}`))
      return { status: 'skipped', reason: 'suppressed', metric: 'skipped:suppressed' };
    return { contact, email };
  }

  async function deliver(row: EmailRow, batch: Batch): Promise<Outcome> {
    const recipient = recipientOf(row, batch);
    if ('status' in recipient) return recipient;
    const { contact, email } = recipient;
    const verdict = batch.policy(row, contact.attributes);
    if (verdict !== undefined && verdict !== 'hold') return verdict;
    const templateId = row.payload.template;
    const template =
      typeof templateId === 'string' ? batch.templates.get(`${row.workspaceId}\u0000${templateId}`) : undefined;
    if (!template)
      return { status: 'failed', error: `template_not_found: template "${String(templateId)}" does not exist` };

    const links = messageLinks(services, row.id);
    let rendered: Awaited<ReturnType<typeof renderEmail>>;
    try {
      rendered = await renderEmail({
        template,
        contact: { id: row.contactId, email, attributes: contact.attributes },
        subjectOverride: typeof row.payload.subject === 'string' ? row.payload.subject : undefined,
        links: { unsubscribeUrl: links.unsubscribeUrl, preferencesUrl: links.preferencesUrl },
        tracking: { openUrl: links.openUrl, clickUrl: links.clickUrl },
        // A held email becomes a section of the digest, which has the one footer.
        footer: verdict !== 'hold',
      });
    } catch (err) {
      if (err instanceof RenderError) return { status: 'failed', error: `${err.code}: ${err.message}` };
      throw err;
    }
    if (verdict === 'hold') {
      const { subject, html, text } = rendered;
      return { status: 'held', content: { subject, html, text }, heldAt: new Date(clock()) };
    }
    return send(row, email, rendered, links.unsubscribeUrl);
  }

  /**
   * A digest: each held email it gathered is checked again as if it were being sent now (consent of
   * its topic, the pause, exit goals, quiet hours, the journey's cap); those that pass go out as one
   * email, those that do not are settled as they would have been on their own. Quiet hours of any
   * of them put the whole digest off; with none left it is `skipped` (`digest_empty`).
   */
  async function deliverDigest(row: EmailRow, batch: Batch): Promise<Omit<Settlement, 'row'>> {
    const parts = batch.digestParts.get(row.id) ?? [];
    const all = (outcome: Outcome): Omit<Settlement, 'row'> => ({
      outcome,
      parts: parts.map((p) => ({ row: p.row, outcome })),
    });
    const recipient = recipientOf(row, batch);
    if ('status' in recipient) return all(recipient);
    const { contact, email } = recipient;
    const carried: DigestPart[] = [];
    const left: { row: EmailRow; outcome: Outcome }[] = [];
    let deferMs: number | undefined;
    for (const part of parts) {
      const verdict = batch.policy(part.row, contact.attributes);
      if (verdict === undefined || verdict === 'hold') carried.push(part);
      else if (verdict.status === 'retry') deferMs = Math.max(deferMs ?? 0, verdict.delayMs);
      else left.push({ row: part.row, outcome: verdict });
    }
    if (deferMs !== undefined) return { outcome: { status: 'retry', error: null, delayMs: deferMs, counts: false } };
    if (carried.length === 0)
      return { outcome: { status: 'skipped', reason: 'digest_empty', metric: 'skipped:digest_empty' }, parts: left };
    const links = messageLinks(services, row.id);
    const digest = composeDigest({
      workspaceName: rates.get(row.workspaceId)?.name ?? row.workspaceId,
      parts: carried.map((p) => p.content),
      links: { preferencesUrl: links.preferencesUrl, unsubscribeUrl: links.unsubscribeUrl },
    });
    const outcome = await send(row, email, digest, links.unsubscribeUrl);
    if (outcome.status === 'retry') return { outcome };
    const carriedAs: Outcome =
      outcome.status === 'sent' ? { status: 'digested', messageId: outcome.messageId } : outcome;
    return { outcome, parts: [...carried.map((p) => ({ row: p.row, outcome: carriedAs })), ...left] };
  }

  /** Sends a composed email within the workspace's rate; the outcome of the SMTP exchange. */
  async function send(row: EmailRow, email: string, rendered: HeldContent, unsubscribeUrl: string): Promise<Outcome> {
    const rate = rates.get(row.workspaceId)?.rate ?? 0;
    const wait = limiter.take(row.workspaceId, rate, maxRateWaitMs);
    if (typeof wait !== 'number') return { status: 'retry', error: null, delayMs: wait.retryInMs, counts: false };
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const messageId = messageIdFor(row.workspaceId, row.key, from);
    try {
      const raw = composeEmail({
        from,
        to: email,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId,
        date: new Date(),
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:${mailto}?subject=unsubscribe>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          ...(options.devSinkSecret === undefined
            ? {}
            : { [workspaceMarkHeader]: workspaceMark(options.devSinkSecret, row.workspaceId, messageId) }),
        },
      });
      await smtp().sendMail({ envelope: { from: envelopeFrom, to: [email] }, raw });
      return { status: 'sent', messageId };
    } catch (err) {
      const failure = classifySendError(err);
      if (failure.kind === 'bounce') return { status: 'bounced', error: failure.reason, email: email.toLowerCase() };
      if (failure.kind === 'fail') return { status: 'failed', error: `send_rejected: ${failure.reason}` };
      if (row.attempts >= maxAttempts)
        return { status: 'failed', error: `gave_up: ${row.attempts} attempts; last: ${failure.reason}` };
      return { status: 'retry', error: failure.reason, delayMs: retryDelay(row.attempts), counts: true };
    }
  }

  let nextGathering = 0;

  /** Gathers the weekly digests that are due, at most every `digestPollMs`; they are claimed like any email. */
  async function gatherDigests(): Promise<void> {
    if (Date.now() < nextGathering) return;
    nextGathering = Date.now() + digestPollMs;
    try {
      const made = await gatherDueDigests(db, clock());
      if (made > 0) log.info('weekly digests gathered', { digests: made });
    } catch (err) {
      // Sending everything else goes on; the next pass tries again.
      log.error('gathering due digests failed', { err });
    }
  }

  async function runOnce(): Promise<number> {
    await gatherDigests();
    const rows = await claimEmails(db, batchSize, leaseMs);
    if (rows.length === 0) return 0;
    let settlements: Settlement[];
    try {
      const batch = await loadBatch(rows);
      settlements = await Promise.all(
        rows.map(async (row): Promise<Settlement> => {
          try {
            if (isDigest(row)) return { row, ...(await deliverDigest(row, batch)) };
            return { row, outcome: await deliver(row, batch) };
          } catch (err) {
            // A bug, not the message: log it and try again later rather than lose the email.
            log.error('delivering an email failed unexpectedly', { outbox: row.id, err });
            const error = `internal: ${err instanceof Error ? err.message : String(err)}`;
            if (row.attempts < maxAttempts)
              return { row, outcome: { status: 'retry', error, delayMs: retryDelay(row.attempts), counts: true } };
            const outcome: Outcome = { status: 'failed', error };
            // A digest given up takes the emails it carries with it: none stays held for ever.
            return { row, outcome, parts: batch.digestParts.get(row.id)?.map((p) => ({ row: p.row, outcome })) };
          }
        }),
      );
    } catch (err) {
      // Loading the batch failed (database trouble): the lease brings the rows back later.
      log.error('loading an email batch failed', { rows: rows.length, err });
      throw err;
    }
    const written = await settle(db, settlements);
    if (written < settlements.length)
      log.warn('some emails were claimed again by another worker before they were settled', {
        lost: settlements.length - written,
      });
    for (const s of settlements)
      if (s.outcome.status === 'failed') log.warn('email failed', { outbox: s.row.id, error: s.outcome.error });
    return rows.length;
  }

  let running = false;
  let wanted = false;
  let stopping = false;
  const loops = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function loop(): Promise<void> {
    while (!stopping) {
      let claimed: number;
      try {
        claimed = await runOnce();
      } catch (err) {
        log.error('delivery round failed', { err });
        return;
      }
      if (claimed < batchSize) return;
      // A full batch means more is waiting: let the other slots join in.
      wake();
    }
  }

  function wake(): void {
    if (!running || stopping) return;
    if (loops.size >= concurrency) {
      wanted = true;
      return;
    }
    const p: Promise<void> = loop().finally(() => {
      loops.delete(p);
      if (wanted && !stopping) {
        wanted = false;
        wake();
      }
    });
    loops.add(p);
  }

  return {
    runOnce,
    wake,
    async start() {
      if (running) return;
      running = true;
      stopping = false;
      unlisten = await listenToOthers(services, deliveryChannel, wake);
      timer = setInterval(wake, pollMs);
      timer.unref?.();
      wake();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await unlisten?.();
      unlisten = undefined;
      await Promise.allSettled([...loops]);
      running = false;
      transport?.close();
      transport = null;
    },
  };
}
