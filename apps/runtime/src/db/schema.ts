import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });

/** A tenant: everything else belongs to exactly one workspace. */
export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Emails per second this workspace may send. */
  sendRatePerSecond: integer('send_rate_per_second').notNull().default(2000),
  createdAt: createdAt(),
});

/** API keys, stored as SHA-256 hashes; the key itself is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.keyHash)],
);

/** One-time sign-in links printed at start; exchanged for an editor token. */
export const signInTokens = pgTable('sign_in_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  workspaceId: text('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

/** Secrets the server generates once (token signing, link signing). */
export const serverSecrets = pgTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});

/** Contacts of a workspace, by the workspace's own id; email unique per workspace. */
export const contacts = pgTable(
  'contacts',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    email: text('email'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('contacts_email').on(t.workspaceId, sql`lower(${t.email})`),
  ],
);

/** Addresses that must not be emailed: unsubscribes, hard bounces, complaints, manual blocks. */
export const suppressions = pgTable(
  'suppressions',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    reason: text('reason').$type<'unsubscribe' | 'bounce' | 'complaint' | 'manual'>().notNull(),
    detail: text('detail'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.email] })],
);

/** Ingested events; the scheduler processes them in order and marks them processed. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    contactId: text('contact_id').notNull(),
    name: text('name').notNull(),
    at: ts('at').notNull(),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    receivedAt: ts('received_at').notNull().defaultNow(),
    processedAt: ts('processed_at'),
  },
  (t) => [
    index('events_unprocessed').on(t.id).where(sql`${t.processedAt} is null`),
    index('events_unprocessed_contact').on(t.workspaceId, t.contactId, t.id).where(sql`${t.processedAt} is null`),
    index('events_contact').on(t.workspaceId, t.contactId, t.at),
  ],
);

/** Responses of requests made with an Idempotency-Key, so a retry is answered without repeating work. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    response: jsonb('response').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] })],
);

/** A journey and its editable draft. */
export const journeys = pgTable(
  'journeys',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    status: text('status').$type<'draft' | 'active' | 'paused' | 'archived'>().notNull().default('draft'),
    draft: jsonb('draft').$type<Record<string, unknown>>().notNull(),
    layout: jsonb('layout').$type<Record<string, unknown>>().notNull().default({}),
    liveVersionId: text('live_version_id'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Published, immutable, content-hashed journey versions. */
export const journeyVersions = pgTable(
  'journey_versions',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    journeyId: text('journey_id').notNull(),
    version: integer('version').notNull(),
    hash: text('hash').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    layout: jsonb('layout').$type<Record<string, unknown>>().notNull().default({}),
    publishedAt: createdAt(),
  },
  (t) => [uniqueIndex('journey_versions_number').on(t.workspaceId, t.journeyId, t.version)],
);

/**
 * True for a journey state with a run waiting for a reviewer (`flow.approval`): the predicate of the
 * partial index journey_states_awaiting_approval, so the review queue reads only waiting rows. A literal,
 * not a parameter, so that the planner can match a query's filter to the index.
 */
export const awaitingApproval = (state: AnyPgColumn): SQL =>
  sql`${state} @> '{"runs":[{"awaiting":{"name":"approval.decided"}}]}'::jsonb`;

/** One contact's state in one journey (the interpreter's ContactJourneyState), with its next wake time. */
export const journeyStates = pgTable(
  'journey_states',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    journeyId: text('journey_id').notNull(),
    contactId: text('contact_id').notNull(),
    versionId: text('version_id').notNull(),
    state: jsonb('state').$type<Record<string, unknown>>().notNull(),
    /** The node of the first active run, for "waiting now" counts; null when no run is active. */
    node: text('node'),
    wakeAt: ts('wake_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.journeyId, t.contactId] }),
    index('journey_states_wake').on(t.wakeAt).where(sql`${t.wakeAt} is not null`),
    index('journey_states_contact').on(t.workspaceId, t.contactId),
    index('journey_states_awaiting_approval').on(t.workspaceId, t.updatedAt).where(awaitingApproval(t.state)),
  ],
);

/** Effects waiting to be performed (emails, webhooks, AI requests): the transactional outbox. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** run:node:visit — unique, so an effect is recorded once however often a step is retried. */
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    journeyId: text('journey_id').notNull(),
    versionId: text('version_id').notNull(),
    runId: text('run_id').notNull(),
    contactId: text('contact_id').notNull(),
    node: text('node').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /**
     * `held`: kept for the contact's weekly digest (`digestId` set once a digest row gathers it);
     * `digested`: went out inside the digest `digestId`.
     */
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    leaseUntil: ts('lease_until'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: createdAt(),
    doneAt: ts('done_at'),
    /** Of a held or digested email: the digest row (an outbox row of this table) that carries it. */
    digestId: bigint('digest_id', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('outbox_key').on(t.workspaceId, t.key),
    index('outbox_due').on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'sending')`),
    // Few rows (emails waiting for a digest): found per contact when a digest gathers or drops them.
    index('outbox_held').on(t.workspaceId, t.contactId).where(sql`${t.status} = 'held'`),
  ],
);

/** Where an outbox row stands; see docs/delivery.md. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'bounced' | 'skipped' | 'held' | 'digested';

/**
 * The rendered content of an email held for a weekly digest, kept until the digest that carries it
 * is settled (then deleted: the content is not needed any more). Goes with its outbox row.
 */
export const heldEmails = pgTable('held_emails', {
  outboxId: bigint('outbox_id', { mode: 'number' })
    .primaryKey()
    .references(() => outbox.id, { onDelete: 'cascade' }),
  /** When it was held (the delivery's clock): the digest is due a week after the first one. */
  heldAt: ts('held_at').notNull(),
  subject: text('subject').notNull(),
  html: text('html').notNull(),
  text: text('text').notNull(),
});

/** Per journey version, node and metric counters (entered, left:port, emails, opens …) for stats and bandits. */
export const nodeStats = pgTable(
  'node_stats',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    versionId: text('version_id').notNull(),
    node: text('node').notNull(),
    metric: text('metric').notNull(),
    count: bigint('count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.versionId, t.node, t.metric] })],
);

/** Email templates: GrapesJS project data plus the MJML it exports. */
export const templates = pgTable(
  'templates',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    mjml: text('mjml').notNull(),
    project: jsonb('project').$type<Record<string, unknown>>(),
    /** Topic for consent and preferences, e.g. "newsletter". */
    topic: text('topic'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Messages captured by the built-in development SMTP sink, shown in the inbox page. */
export const devInbox = pgTable(
  'dev_inbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The workspace that sent it (signed mark of the delivery worker); null for mail from elsewhere, listed to no one. */
    workspaceId: text('workspace_id'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    envelopeFrom: text('envelope_from'),
    envelopeTo: text('envelope_to').array().notNull(),
    subject: text('subject'),
    messageId: text('message_id'),
    raw: text('raw').notNull(),
  },
  (t) => [index('dev_inbox_workspace_idx').on(t.workspaceId, t.id)],
);

/** Append-only record of who did what, when and from where: consent changes, exports, erasures, publishes, approvals. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    at: ts('at').notNull().defaultNow(),
    /** `apiKey:<id prefix>`, `editor`, `contact` (preference center), `system`. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    ip: text('ip'),
  },
  (t) => [
    index('audit_log_lookup').on(t.workspaceId, t.at),
    index('audit_log_subject').on(t.workspaceId, t.subjectType, t.subjectId),
  ],
);

/** Consent of a contact for one purpose or topic: the latest record wins; history stays in the audit log. */
export const consents = pgTable(
  'consents',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    contactId: text('contact_id').notNull(),
    topic: text('topic').notNull(),
    status: text('status').$type<'granted' | 'withdrawn'>().notNull(),
    /** How it was given or withdrawn: form, import, api, preference-center, unsubscribe. */
    source: text('source').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull().default({}),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.contactId, t.topic] })],
);

/** Segments: a condition of the journey language over contact attributes and events. */
export const segments = pgTable(
  'segments',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    condition: jsonb('condition').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);
