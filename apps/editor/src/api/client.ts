import type { Condition, JourneyDefinition, NodeTypeDescription, Problem } from '@waymark/nodes';
import type { JourneyStats } from '../canvas/analytics.ts';

/** A journey as `GET /v1/journeys/:id` returns it: the draft definition and its canvas layout. */
export interface Journey {
  id: string;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  definition: Record<string, unknown>;
  layout: Record<string, unknown>;
  liveVersion: number | null;
  updatedAt: string;
}

/** One row of the journey list. */
export type JourneySummary = Omit<Journey, 'definition' | 'layout'>;

/** A published, immutable version of a journey. */
export interface JourneyVersion {
  id: string;
  version: number;
  hash: string;
  publishedAt: string;
  created?: boolean;
  definition?: Record<string, unknown>;
  layout?: Record<string, unknown>;
}

/** A saved segment: contacts matching a condition. */
export interface Segment {
  id: string;
  name: string;
  condition: Condition;
  updatedAt: string;
}

/** How many contacts a condition matches now, with the first few of them. */
export interface SegmentPreview {
  count: number;
  scanned: number;
  sample: { id: string; email: string | null }[];
}

/** A template as the list endpoint returns it. */
export interface TemplateSummary {
  id: string;
  name: string;
  subject: string;
  topic?: string;
  updatedAt: string;
}

/** A whole template: the MJML that is sent and the GrapesJS project the designer reopens. */
export interface Template extends TemplateSummary {
  mjml: string;
  project?: Record<string, unknown>;
}

/** What is saved for a template. */
export interface TemplateInput {
  name: string;
  subject: string;
  mjml: string;
  project?: Record<string, unknown>;
  topic?: string;
}

/** A template rendered for a contact; `document` is for a sandboxed iframe. */
export interface TemplatePreview {
  subject: string;
  html: string;
  text: string;
  document: string;
}

/** A contact as `GET /v1/contacts` lists it. */
export interface Contact {
  id: string;
  email: string | null;
  attributes: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
}

/** One page of contacts; `next` is the `after` of the following page. */
export interface ContactPage {
  contacts: Contact[];
  next: string | null;
}

/** A contact's consent to one topic. */
export interface Consent {
  topic: string;
  status: 'granted' | 'withdrawn';
  source: string;
  evidence: Record<string, unknown>;
  at: string;
}

/** An event recorded for a contact. */
export interface ContactEvent {
  id: number;
  name: string;
  at: string;
  properties: Record<string, unknown>;
}

/** An import's counts as `POST /v1/imports` and `GET /v1/imports/{id}` report them. */
export interface ImportSummary {
  id: string;
  format: 'csv' | 'ndjson';
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  rowsRead: number;
  imported: number;
  invalid: number;
  duplicates: number;
  suppressed: number;
  conflicts: number;
  flagged: { disposable: number; role: number; typo: number };
  reportOverflow: number;
  error: string | null;
  /** The file row the error is about, when the file could not be read on. */
  errorRow: number | null;
  /** Data rows whose chunk was committed: what a failed import kept. */
  rowsCommitted: number;
  /** The first file row not committed (a CSV's header is row 1): where to resume; null once done. */
  resumeFromRow: number | null;
  /** The row this import started at, when it resumed an earlier one. */
  startRow: number | null;
}

/** One entry of an import's per-row report. */
export interface ImportIssue {
  row: number;
  severity: 'error' | 'warning';
  field: string;
  code: string;
  message: string;
  suggestion: string | null;
}

/** A run waiting at a `flow.approval` step for a reviewer. */
export interface PendingApproval {
  journeyId: string;
  contactId: string;
  email: string | null;
  node: string;
  runId: string;
  versionId: string;
  waitingSince: string;
  /** Generated subject lines to review, if the run wrote any. */
  subjects: string[] | null;
  /** Sentiment score (−1…1) of each subject, in the same order. */
  scores: number[] | null;
  ai: Record<string, { type: string; value: unknown }>;
}

/** Which pending approval a decision is about. */
export interface ApprovalKey {
  journeyId: string;
  contactId: string;
  node: string;
}

/** A reviewer's decision. */
export interface ApprovalDecision {
  decision: 'approved' | 'rejected';
  /** Edited subject lines to send instead of the generated ones. */
  subjects?: string[];
  note?: string;
}

/** The email an approval releases, rendered by the runtime for the waiting contact. */
export interface ApprovalPreview extends ApprovalKey {
  /** The `action.sendEmail` step after the approval, and its template. */
  emailNode: string;
  template: string;
  to: string | null;
  /** The subject as it goes out (with AI subject lines: the first one). */
  subject: string;
  /** Every AI subject line rendered for the contact, when the email takes its subject from them. */
  subjects: string[] | null;
  html: string;
  text: string;
  /** The HTML under a restrictive CSP: only for a sandboxed iframe's `srcdoc`. */
  document: string;
}

/** Who decided an approval, as the runtime recorded it. */
export interface ApprovalDecidedBy {
  /** `editor:<user id>`, `editor` (a token without a user) or `apiKey:<prefix>`. */
  actor: string;
  credential: 'apiKey' | 'editor';
  /** The user the editor token was issued for; null for API keys. */
  user: { id: string; name?: string; email?: string } | null;
  /** API keys only: the reviewer the caller named, not verified by the runtime. */
  reviewerLabel: string | null;
}

/** A decision already made, as `GET /v1/approvals/history` lists it. */
export interface ApprovalHistoryEntry extends ApprovalKey {
  runId: string;
  decision: 'approved' | 'rejected';
  decidedAt: string;
  decidedBy: ApprovalDecidedBy;
  /** The subject lines approved or rejected (the reviewer's when `edited`). */
  subjects: string[] | null;
  edited: boolean;
  note: string | null;
}

/** One page of decisions, newest first; `next` is the `before` of the older page. */
export interface ApprovalHistoryPage {
  decisions: ApprovalHistoryEntry[];
  next: string | null;
}

/** What happened to one item of a bulk decision. */
export interface ApprovalResult extends ApprovalKey {
  ok: boolean;
  error?: { code: string; message: string };
}

/** A subject line written by the AI, with its sentiment. */
export interface SubjectVariant {
  subject: string;
  sentiment: { label: string; score: number };
}

/** What to write subject lines about. */
export interface SubjectRequest {
  brief: string;
  tone?: string;
  maxLength?: number;
  variants: number;
}

/** Who the editor token belongs to and what it may do. */
export interface WorkspaceInfo {
  id: string;
  name: string;
  access: 'admin' | 'edit' | 'read';
  journeyId: string | null;
}

/** An error answered by the API (`{error: {code, message, details}}`) or a failed request. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The journey problems a refused publish names, if any. */
  get problems(): Problem[] {
    const d = this.details as { problems?: unknown } | undefined;
    return Array.isArray(d?.problems) ? (d.problems as Problem[]) : [];
  }
}

/** The calls the editor makes to the Waymark runtime. */
export interface ApiClient {
  readonly baseUrl: string;
  workspace(): Promise<WorkspaceInfo>;
  nodeTypes(): Promise<NodeTypeDescription[]>;
  journeys(): Promise<JourneySummary[]>;
  journey(id: string): Promise<Journey>;
  createJourney(name: string): Promise<Journey>;
  saveDraft(
    id: string,
    draft: { name?: string; definition: JourneyDefinition; layout: Record<string, unknown> },
    options?: { keepalive?: boolean },
  ): Promise<Journey & { problems: Problem[] }>;
  publish(id: string): Promise<JourneyVersion>;
  /** Migrates steps of the saved draft to the newest version of their node type and saves it. */
  upgradeDraft(id: string, nodes: readonly string[]): Promise<Journey & { problems: Problem[] }>;
  versions(id: string): Promise<JourneyVersion[]>;
  version(id: string, version: number): Promise<JourneyVersion>;
  /** Per-step counters of the live version (`version` null when nothing is live). */
  stats(id: string): Promise<JourneyStats>;
  templates(): Promise<TemplateSummary[]>;
  template(id: string): Promise<Template>;
  createTemplate(input: TemplateInput & { id?: string }): Promise<Template>;
  saveTemplate(id: string, input: TemplateInput): Promise<Template>;
  deleteTemplate(id: string): Promise<void>;
  previewTemplate(id: string, sample: { contactId?: string }): Promise<TemplatePreview>;
  sendTestEmail(id: string, to: string, sample: { contactId?: string }): Promise<{ sent: boolean; to: string }>;
  contacts(limit?: number): Promise<Contact[]>;
  /** A page of contacts by id, optionally only those whose email or id contains `q`. */
  contactPage(query: { q?: string; after?: string; limit?: number }): Promise<ContactPage>;
  contact(id: string): Promise<Contact>;
  consents(contactId: string): Promise<Consent[]>;
  contactEvents(contactId: string, limit?: number): Promise<ContactEvent[]>;
  /** Everything held about a contact (GDPR export); the runtime records the export in the audit trail. */
  exportContact(id: string): Promise<Record<string, unknown>>;
  eraseContact(id: string): Promise<{ erased: boolean }>;
  /** Uploads a CSV or JSON-lines file; resolves when the import has finished (or the dry run has checked it all). */
  importContacts(
    file: Blob,
    options: { format: 'csv' | 'ndjson'; dryRun: boolean; id?: string; startRow?: number },
  ): Promise<ImportSummary & { errors?: ImportIssue[] }>;
  importProgress(id: string): Promise<ImportSummary>;
  importIssues(
    id: string,
    query?: { after?: string; limit?: number },
  ): Promise<{ errors: ImportIssue[]; next: string | null }>;
  approvals(): Promise<PendingApproval[]>;
  decideApproval(key: ApprovalKey, decision: ApprovalDecision): Promise<void>;
  /**
   * Decides several approvals at once with `POST /v1/approvals/decisions`; on a runtime without that
   * route, one call per item.
   */
  decideApprovals(keys: readonly ApprovalKey[], decision: ApprovalDecision): Promise<ApprovalResult[]>;
  /** The email a pending approval releases, rendered for its contact. */
  approvalPreview(key: ApprovalKey): Promise<ApprovalPreview>;
  /** Decisions already made, newest first; pass a page's `next` as `before` for older ones. */
  approvalHistory(query?: { before?: string; limit?: number }): Promise<ApprovalHistoryPage>;
  generateSubjects(request: SubjectRequest): Promise<SubjectVariant[]>;
  segments(): Promise<Segment[]>;
  createSegment(input: { id: string; name: string; condition: Condition }): Promise<Segment>;
  saveSegment(id: string, input: { name: string; condition: Condition }): Promise<Segment>;
  deleteSegment(id: string): Promise<void>;
  previewSegment(condition: Condition): Promise<SegmentPreview>;
}

/** True when the runtime has no such route (an older runtime), as opposed to a missing resource. */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && /^no route /.test(e.message);
}

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  /** Where the runtime is; empty for the page's own origin. */
  apiUrl: string;
  /** An editor token from `POST /v1/editor-tokens` or the sign-in link. */
  token: string;
  fetch?: typeof fetch;
}

/** Makes a client for the runtime's `/v1` API that sends the editor token as a bearer token. */
export function createApiClient({ apiUrl, token, fetch: fetchImpl }: ApiClientOptions): ApiClient {
  const baseUrl = apiUrl.replace(/\/+$/, '');
  const doFetch = fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    keepalive = false,
    raw?: { body: Blob; type: string },
  ): Promise<T> {
    let res: Response;
    try {
      const contentType = raw ? raw.type : body === undefined ? undefined : 'application/json';
      res = await doFetch(`${baseUrl}/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
        },
        ...(raw ? { body: raw.body } : body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(keepalive ? { keepalive: true } : {}),
      });
    } catch (e) {
      throw new ApiError(0, 'network', `cannot reach the Waymark server: ${(e as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new ApiError(
        res.status,
        err?.code ?? 'http_error',
        err?.message ?? `${method} ${path} failed with HTTP ${res.status}`,
        err?.details,
      );
    }
    return parsed as T;
  }

  const enc = encodeURIComponent;
  const query = (params: Record<string, string | number | undefined>) =>
    new URLSearchParams(
      Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
    ).toString();
  return {
    baseUrl,
    workspace: () => call('GET', '/workspace'),
    nodeTypes: async () => (await call<{ nodeTypes: NodeTypeDescription[] }>('GET', '/node-types')).nodeTypes,
    journeys: async () => (await call<{ journeys: JourneySummary[] }>('GET', '/journeys')).journeys,
    journey: (id) => call('GET', `/journeys/${enc(id)}`),
    createJourney: (name) => call('POST', '/journeys', { name }),
    saveDraft: (id, draft, options) => call('PUT', `/journeys/${enc(id)}/draft`, draft, options?.keepalive ?? false),
    publish: (id) => call('POST', `/journeys/${enc(id)}/publish`),
    upgradeDraft: (id, nodes) => call('POST', `/journeys/${enc(id)}/draft/upgrade`, { nodes }),
    versions: async (id) =>
      (await call<{ versions: JourneyVersion[] }>('GET', `/journeys/${enc(id)}/versions`)).versions,
    version: (id, version) => call('GET', `/journeys/${enc(id)}/versions/${version}`),
    stats: (id) => call('GET', `/journeys/${enc(id)}/stats`),
    templates: async () => (await call<{ templates: TemplateSummary[] }>('GET', '/templates')).templates,
    template: (id) => call('GET', `/templates/${enc(id)}`),
    createTemplate: (input) => call('POST', '/templates', input),
    saveTemplate: (id, input) => call('PUT', `/templates/${enc(id)}`, input),
    deleteTemplate: async (id) => {
      await call('DELETE', `/templates/${enc(id)}`);
    },
    previewTemplate: (id, sample) => call('POST', `/templates/${enc(id)}/preview`, sample),
    sendTestEmail: (id, to, sample) => call('POST', `/templates/${enc(id)}/test`, { to, ...sample }),
    contacts: async (limit = 100) => (await call<{ contacts: Contact[] }>('GET', `/contacts?limit=${limit}`)).contacts,
    contactPage: ({ q, after, limit = 50 }) =>
      call('GET', `/contacts?${query({ limit, q: q?.trim() || undefined, after })}`),
    contact: (id) => call('GET', `/contacts/${enc(id)}`),
    consents: async (id) => (await call<{ consents: Consent[] }>('GET', `/contacts/${enc(id)}/consents`)).consents,
    contactEvents: async (id, limit = 20) =>
      (await call<{ events: ContactEvent[] }>('GET', `/contacts/${enc(id)}/events?limit=${limit}`)).events,
    exportContact: (id) => call('GET', `/contacts/${enc(id)}/export`),
    eraseContact: (id) => call('POST', `/contacts/${enc(id)}/erase`),
    importContacts: (file, { format, dryRun, id, startRow }) =>
      call('POST', `/imports?${query({ dryRun: String(dryRun), id, startRow })}`, undefined, false, {
        body: file,
        type: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      }),
    importProgress: (id) => call('GET', `/imports/${enc(id)}`),
    importIssues: (id, { after, limit = 1000 } = {}) =>
      call('GET', `/imports/${enc(id)}/errors?${query({ limit, after })}`),
    approvals: async () => (await call<{ approvals: PendingApproval[] }>('GET', '/approvals')).approvals,
    decideApproval: async (key, decision) => {
      await call('POST', `/approvals/${enc(key.journeyId)}/${enc(key.contactId)}/${enc(key.node)}`, decision);
    },
    decideApprovals: async (keys, decision) => {
      const items = keys.map(({ journeyId, contactId, node }) => ({ journeyId, contactId, node }));
      try {
        const { decision: d, note } = decision;
        return (
          await call<{ results: ApprovalResult[] }>('POST', '/approvals/decisions', {
            items,
            decision: d,
            ...(note === undefined ? {} : { note }),
          })
        ).results;
      } catch (e) {
        if (!isMissingRoute(e)) throw e;
      }
      const results: ApprovalResult[] = [];
      for (const item of items) {
        try {
          await call('POST', `/approvals/${enc(item.journeyId)}/${enc(item.contactId)}/${enc(item.node)}`, decision);
          results.push({ ...item, ok: true });
        } catch (e) {
          const err = e instanceof ApiError ? e : new ApiError(0, 'internal', String(e));
          results.push({ ...item, ok: false, error: { code: err.code, message: err.message } });
        }
      }
      return results;
    },
    approvalPreview: (key) =>
      call('GET', `/approvals/${enc(key.journeyId)}/${enc(key.contactId)}/${enc(key.node)}/preview`),
    approvalHistory: ({ before, limit = 25 } = {}) => call('GET', `/approvals/history?${query({ limit, before })}`),
    segments: async () => (await call<{ segments: Segment[] }>('GET', '/segments')).segments,
    createSegment: (input) => call('POST', '/segments', input),
    saveSegment: (id, input) => call('PUT', `/segments/${enc(id)}`, input),
    deleteSegment: async (id) => {
      await call('DELETE', `/segments/${enc(id)}`);
    },
    previewSegment: (condition) => call('POST', '/segments/preview', { condition }),
    generateSubjects: async (request) =>
      (await call<{ variants: SubjectVariant[] }>('POST', '/ai/subjects', request)).variants,
  };
}
