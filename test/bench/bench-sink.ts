/**
 * The benchmarks' SMTP sink, run in its own process (as a real mail server would be): accepts every
 * message, counts it and notes when DATA completed per recipient, and answers the parent over IPC.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let received = 0;
const times = new Map<string, number>();
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  closeTimeout: 500,
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      received++;
      const at = Date.now();
      for (const r of session.envelope.rcptTo) if (!times.has(r.address)) times.set(r.address, at);
      callback();
    });
  },
});
// A runtime process stopped mid-session resets its connection; that is not the sink's problem.
server.on('error', () => {});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.server.address() as AddressInfo).port });
});
process.on('message', (m: { id: number; what: string }) => {
  const value = m.what === 'count' ? received : Object.fromEntries(times);
  process.send?.({ id: m.id, value });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
