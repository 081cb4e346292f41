import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Db } from '../db/client.ts';
import { devInbox } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { takeWorkspaceMark } from './workspace-mark.ts';

/** Settings of the development SMTP sink. */
export interface DevSmtpOptions {
  /** 0 picks a free port. */
  port: number;
  /** Always a loopback address: the sink accepts mail from anyone who can reach it. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** Largest message accepted, in bytes (10 MiB by default); larger ones get `552`. */
  maxMessageBytes?: number;
  /** The server's link secret: verifies the workspace mark the delivery worker puts on each message. */
  secret: string;
  log?: Logger;
}

/** A running development SMTP sink. */
export interface DevSmtp {
  port: number;
  close(): Promise<void>;
}

type NewMessage = typeof devInbox.$inferInsert;

/** The headers worth a column: read from the header block only, whatever the size of the body. */
async function summary(raw: string): Promise<{ subject: string | null; messageId: string | null }> {
  const end = raw.search(/\r?\n\r?\n/);
  const parsed = await simpleParser(end < 0 ? raw : raw.slice(0, end), { skipHtmlToText: true, skipTextToHtml: true });
  return { subject: parsed.subject ?? null, messageId: parsed.messageId ?? null };
}

/**
 * Writes messages in batches: everything that arrives while one INSERT runs goes into the next, so
 * a burst of a thousand messages costs a few statements, and each sender is answered only once its
 * message is stored.
 */
function batchWriter(db: Db) {
  let queue: { row: NewMessage; done: (err?: unknown) => void }[] = [];
  let writing = false;
  async function drain(): Promise<void> {
    writing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await db.insert(devInbox).values(batch.map((b) => b.row));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    writing = false;
  }
  return (row: NewMessage) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ row, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (!writing) void drain();
    });
}

function envelopeOf(session: SMTPServerSession): { from: string | null; to: string[] } {
  const from = session.envelope.mailFrom;
  return { from: from ? from.address : null, to: session.envelope.rcptTo.map((r) => r.address) };
}

/**
 * Starts the built-in development SMTP sink on a loopback address: it accepts any mail (no login,
 * no TLS) and stores it in `dev_inbox` with its envelope, subject, Message-ID, raw source and the
 * workspace that sent it (from the delivery worker's signed mark; none for other mail), for the
 * inbox page. So that `start` needs no mail server.
 *
 * @example
 * const sink = await startDevSmtp(db, { port: 0, secret: secrets.links });
 * const smtpUrl = `smtp://127.0.0.1:${sink.port}`;
 */
export async function startDevSmtp(db: Db, options: DevSmtpOptions): Promise<DevSmtp> {
  const maxBytes = options.maxMessageBytes ?? 10 * 1024 * 1024;
  const write = batchWriter(db);
  const server = new SMTPServer({
    banner: 'Waymark development SMTP sink',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    size: maxBytes,
    logger: false,
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        // Past the limit the rest is read and dropped (the client is answered 552 at the end).
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          const err = Object.assign(new Error(`message larger than the sink accepts (${maxBytes} bytes)`), {
            responseCode: 552,
          });
          return callback(err);
        }
        // Text columns cannot hold NUL; a development sink can drop it.
        const raw = Buffer.concat(chunks).toString('utf8').replaceAll('\u0000', '');
        const envelope = envelopeOf(session);
        summary(raw)
          .then(({ subject, messageId }) => {
            const marked = takeWorkspaceMark(options.secret, raw, messageId);
            return write({
              workspaceId: marked.workspaceId,
              envelopeFrom: envelope.from,
              envelopeTo: envelope.to,
              subject,
              messageId,
              raw: marked.raw,
            });
          })
          .then(
            () => callback(null),
            (err: unknown) => {
              options.log?.error('dev SMTP sink could not store a message', { err });
              callback(Object.assign(new Error('could not store the message, try again'), { responseCode: 451 }));
            },
          );
      });
    },
  });
  server.on('error', (err) => options.log?.warn('dev SMTP sink connection error', { err }));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
