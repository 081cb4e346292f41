import type { JourneyDefinition, NodeTypeDescription, Problem } from '@waymark/nodes';
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

  async function call<T>(method: string, path: string, body?: unknown, keepalive = false): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
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
  return {
    baseUrl,
    workspace: () => call('GET', '/workspace'),
    nodeTypes: async () => (await call<{ nodeTypes: NodeTypeDescription[] }>('GET', '/node-types')).nodeTypes,
    journeys: async () => (await call<{ journeys: JourneySummary[] }>('GET', '/journeys')).journeys,
    journey: (id) => call('GET', `/journeys/${enc(id)}`),
    createJourney: (name) => call('POST', '/journeys', { name }),
    saveDraft: (id, draft, options) => call('PUT', `/journeys/${enc(id)}/draft`, draft, options?.keepalive ?? false),
    publish: (id) => call('POST', `/journeys/${enc(id)}/publish`),
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
  };
}
