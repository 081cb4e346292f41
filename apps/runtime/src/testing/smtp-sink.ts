import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** A message a test SMTP server received. */
export interface ReceivedMail {
  envelope: { from: string | null; to: string[] };
  raw: string;
  parse(): Promise<ParsedMail>;
}

/** A real SMTP server on 127.0.0.1 for tests; `rcpt` may answer an error (4xx, 5xx) per recipient. */
export async function startTestSmtp(
  options: {
    rcpt?: (address: SMTPServerAddress, attempt: number) => { code: number; message: string } | undefined;
  } = {},
) {
  const received: ReceivedMail[] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    // Tests close the server while a pooled client may still be connected.
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      const key = address.address.toLowerCase();
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const answer = options.rcpt?.(address, attempt);
      if (!answer) return callback();
      callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        received.push({
          envelope: { from: mailFrom ? mailFrom.address : null, to: session.envelope.rcptTo.map((r) => r.address) },
          raw,
          parse: () => simpleParser(raw),
        });
        callback();
      });
    },
  });
  // A client that dies mid-session (a killed runtime) resets its connection; that is not a test failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** How often each address (lowercased) was offered in RCPT TO. */
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
