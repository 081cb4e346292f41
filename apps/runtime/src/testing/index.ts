export { openTestPglite, openTestPostgres, type TestBackend, testBackends } from './databases.ts';
export { type ReceivedMail, startTestSmtp } from './smtp-sink.ts';
