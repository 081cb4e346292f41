import { createRoute, z } from '@hono/zod-openapi';
import { ModelError } from '@waymark/models';
import { generateSubjectNode, sentimentGuardNode } from '@waymark/nodes';
import { type BannedWords, bannedWordsOf, bannedWordsSchema, setBannedWords } from '../ai/banned-words.ts';
import { ConcurrencyCap } from '../ai/concurrency-cap.ts';
import type { AiProvider } from '../ai/provider.ts';
import { writeSubjects } from '../ai/subjects.ts';
import { ApiError } from '../errors.ts';
import type { Services } from '../services.ts';
import { requireWorkspaceEditor } from './auth.ts';
import { clientIp } from './client-ip.ts';
import { bearerSecurity, errorResponses, errorSchema, jsonBody, jsonResponse, newRouter } from './openapi.ts';

/** AI previews one workspace may run at a time; more are refused with `rate_limited`. */
export const aiPreviewsPerWorkspace = 2;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

const settingsSchema = z
  .object({
    bannedWords: z.array(z.string()),
    /** `workspace`: the workspace's own list; `default`: WAYMARK_BANNED_WORDS, as none is set. */
    source: z.enum(['workspace', 'default']),
    updatedAt: z.string().nullable(),
  })
  .openapi('AiSettings');

const sentimentSchema = z.object({ label: z.string(), score: z.number() }).openapi('Sentiment');

const subjectsSchema = z
  .object({ variants: z.array(z.object({ subject: z.string(), sentiment: sentimentSchema })) })
  .openapi('SubjectVariants');

/** The `text` of an `ai.sentimentGuard` node: the same limits for the preview. */
const sentimentRequestSchema = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(5000, 'must be at most 5,000 characters'),
});

const present = (s: BannedWords) => ({
  bannedWords: s.words,
  source: s.source,
  updatedAt: s.updatedAt?.toISOString() ?? null,
});

/** A models error as the API reports it; a broken model is logged, never the texts. */
function apiErrorOf(e: unknown, services: Services): unknown {
  if (!(e instanceof ModelError)) return e;
  switch (e.code) {
    case 'model_unavailable':
    case 'model_misconfigured':
    case 'closed':
      return new ApiError('model_unavailable', e.message);
    case 'no_variants':
      return new ApiError('no_variants', `${e.message}; change the brief, the maximum length or the banned words`);
    case 'invalid_request':
      return new ApiError('invalid_request', e.message);
    case 'inference_failed':
      services.log.error('AI inference failed', { code: e.code, message: e.message });
      return new ApiError('internal', 'the model failed on this request; it has been logged');
  }
}

/**
 * `/v1/ai`: the workspace's AI safeguards and previews for the editor's AI panel.
 * `GET|PUT|DELETE /ai/settings` read, set and reset the banned words (a workspace without its own list
 * uses WAYMARK_BANNED_WORDS); `POST /ai/subjects` writes scored subject-line variants exactly as the
 * `ai.generateSubject` node does; `POST /ai/sentiment` scores a text as `ai.sentimentGuard` does.
 * Previews run at most {@link aiPreviewsPerWorkspace} at a time per workspace.
 */
export function aiRoutes(services: Services) {
  const router = newRouter();
  const { db } = services;
  const defaults = () => services.config.bannedWords ?? [];
  const cap = new ConcurrencyCap(aiPreviewsPerWorkspace);

  const withModels = async <T>(workspaceId: string, task: (ai: AiProvider) => Promise<T>): Promise<T> => {
    const ai = services.ai;
    if (!ai)
      throw new ApiError(
        'model_unavailable',
        'no AI model is configured on this server: set WAYMARK_MODELS_DIR to a folder of models (see docs/ai.md)',
      );
    let ran: { value: T } | undefined;
    try {
      ran = await cap.run(workspaceId, () => task(ai));
    } catch (e) {
      throw apiErrorOf(e, services);
    }
    if (!ran)
      throw new ApiError(
        'rate_limited',
        `at most ${aiPreviewsPerWorkspace} AI previews run at a time per workspace; retry when one has finished`,
      );
    return ran.value;
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/ai/settings',
      security: bearerSecurity,
      responses: { 200: jsonResponse(settingsSchema, "The workspace's AI safeguards"), ...errorResponses },
    }),
    async (c) => c.json(present(await bannedWordsOf(db, c.get('principal').workspaceId, defaults())), 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/ai/settings',
      security: bearerSecurity,
      request: {
        ...jsonBody(
          z.object({ bannedWords: bannedWordsSchema }),
          'Banned words: each trimmed, 1–50 characters, at most 200; repeats are dropped',
        ),
      },
      responses: { 200: jsonResponse(settingsSchema, 'Saved and recorded in the audit trail'), ...errorResponses },
    }),
    async (c) => {
      const p = c.get('principal');
      requireWorkspaceEditor(p);
      const { bannedWords } = c.req.valid('json');
      const saved = await db.transaction((tx) =>
        setBannedWords(
          tx,
          {
            workspaceId: p.workspaceId,
            words: bannedWords,
            actor: p.actor,
            ip: clientIp(c, services.config.trustProxy),
          },
          defaults(),
        ),
      );
      return c.json(present(saved), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/ai/settings',
      security: bearerSecurity,
      responses: {
        200: jsonResponse(settingsSchema, 'The workspace uses the installation default again (WAYMARK_BANNED_WORDS)'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      requireWorkspaceEditor(p);
      const saved = await db.transaction((tx) =>
        setBannedWords(
          tx,
          { workspaceId: p.workspaceId, words: null, actor: p.actor, ip: clientIp(c, services.config.trustProxy) },
          defaults(),
        ),
      );
      return c.json(present(saved), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/ai/subjects',
      security: bearerSecurity,
      request: {
        ...jsonBody(
          generateSubjectNode.config,
          'The config of an ai.generateSubject node: brief (3–500 characters), variants (1–10), tone, maxLength (10–200)',
        ),
      },
      responses: {
        200: jsonResponse(subjectsSchema, "Variants that pass the workspace's filters, each with its sentiment"),
        ...errorResponses,
        422: errorResponse('no_variants: no generated line passed the filters'),
        429: errorResponse('rate_limited: too many previews of this workspace at once'),
        503: errorResponse('model_unavailable: no model is configured; set WAYMARK_MODELS_DIR'),
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const brief = c.req.valid('json');
      const variants = await withModels(p.workspaceId, (ai) => writeSubjects(services, ai, p.workspaceId, brief));
      return c.json({ variants }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/ai/sentiment',
      security: bearerSecurity,
      request: { ...jsonBody(sentimentRequestSchema, `A text to score, as ${sentimentGuardNode.type} would`) },
      responses: {
        200: jsonResponse(sentimentSchema, 'The most likely label and a score in −1…1 (positive is good)'),
        ...errorResponses,
        429: errorResponse('rate_limited: too many previews of this workspace at once'),
        503: errorResponse('model_unavailable: no model is configured; set WAYMARK_MODELS_DIR'),
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { text } = c.req.valid('json');
      const [result] = await withModels(p.workspaceId, (ai) => ai.sentiment([text]));
      if (!result) throw new ApiError('internal', 'the sentiment model returned no result');
      return c.json({ label: result.label, score: result.score }, 200);
    },
  );

  return router;
}
