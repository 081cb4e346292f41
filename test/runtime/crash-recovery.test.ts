import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startTestSmtp } from '@waymark/runtime/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/runtime.ts';

const serverUrl = process.env.TEST_DATABASE_URL;
const root = join(import.meta.dirname, '../..');
const contacts = 5_000;

interface Proc {
  child: ChildProcess;
  url: string;
  log: string[];
}

/** Starts `pnpm start`'s entry point as a separate process on the given database. */
function startProcess(env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/runtime/src/main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', WAYMARK_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${log.join('')}`)), 60_000);
    child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      const text = d.toString();
      log.push(text);
      const m = /Waymark is running at (http:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string, log });
      }
    });
    child.on('exit', (code) => reject(new Error(`runtime exited with ${code}:\n${log.join('')}`)));
  });
}

describe.skipIf(!serverUrl)('three runtime processes on one Postgres, one killed mid-batch', () => {
  const name = `wm_crash_${randomBytes(5).toString('hex')}`;
  const apiKey = `wm_crash_${randomBytes(12).toString('hex')}`;
  let admin: postgres.Sql;
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  const procs: Proc[] = [];

  beforeAll(async () => {
    admin = postgres(serverUrl as string, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(serverUrl as string);
    url.pathname = `/${name}`;
    smtp = await startTestSmtp();
    // A short lease so the killed process's claimed emails are taken over within the test.
    const env = {
      DATABASE_URL: url.toString(),
      SMTP_URL: smtp.url,
      WAYMARK_API_KEY: apiKey,
      WAYMARK_DELIVERY_LEASE_MS: '10000',
    };
    // The first process migrates; the other two start at once and wait on the migration lock.
    procs.push(await startProcess(env));
    procs.push(...(await Promise.all([startProcess(env), startProcess(env)])));
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await smtp?.close();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it(`sends each of ${contacts} contacts exactly one email although a process dies with SIGKILL`, async () => {
    const api = async (path: string, body: unknown) => {
      const res = await fetch(`${(procs[0] as Proc).url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return res.json();
    };
    await api('/v1/templates', {
      id: 'hello',
      name: 'Hello',
      subject: 'Hello {{contact.n}}',
      mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>',
    });
    await api('/v1/journeys', {
      id: 'blast',
      name: 'Blast',
      definition: {
        schemaVersion: 1,
        id: 'blast',
        nodes: [
          { id: 'go', type: 'trigger.manual', config: {} },
          { id: 'mail', type: 'action.sendEmail', config: { template: 'hello' } },
          { id: 'end', type: 'flow.exit', config: {} },
        ],
        edges: [
          { from: 'go', to: 'mail' },
          { from: 'mail', to: 'end' },
        ],
      },
    });
    await api('/v1/journeys/blast/publish', {});
    const ids = Array.from({ length: contacts }, (_, i) => `c${i}`);
    for (let i = 0; i < contacts; i += 1000)
      await api('/v1/contacts', {
        contacts: ids.slice(i, i + 1000).map((id, k) => ({ id, email: `${id}@example.com`, attributes: { n: i + k } })),
      });
    await api('/v1/journeys/blast/enrol', { contactIds: ids });

    // Kill one process while the work is in full flow.
    await eventually(async () => (smtp.received.length >= 300 ? true : undefined), 60_000, 'the first emails');
    const victim = procs[1] as Proc;
    victim.child.kill('SIGKILL');
    const receivedAtKill = smtp.received.length;

    await eventually(
      async () => (new Set(smtp.received.flatMap((m) => m.envelope.to)).size >= contacts ? true : undefined),
      150_000,
      `emails to all ${contacts} contacts (got ${new Set(smtp.received.flatMap((m) => m.envelope.to)).size})`,
    );
    // Give a resend (if any) time to show up before counting.
    await new Promise((r) => setTimeout(r, 2_000));
    const byRecipient = new Map<string, Set<string>>();
    let raw = 0;
    for (const m of smtp.received)
      for (const to of m.envelope.to) {
        raw++;
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw)?.[1] ?? `missing-${raw}`;
        const set = byRecipient.get(to) ?? new Set();
        set.add(id);
        byRecipient.set(to, set);
      }
    expect(byRecipient.size).toBe(contacts);
    // Exactly one message per contact: any repeat after the crash carries the same Message-ID
    // (the documented at-least-once window between SMTP acceptance and commit).
    const distinctMessages = [...byRecipient.values()].map((s) => s.size);
    expect(Math.max(...distinctMessages)).toBe(1);
    process.stderr.write(
      `crash test: killed after ${receivedAtKill} emails; ${raw - contacts} raw repeats with the same Message-ID\n`,
    );
  }, 240_000);
});
