import { bannedWordIn, ModelError } from '@waymark/models';
import type { Services } from '../services.ts';
import { bannedWordsOf } from './banned-words.ts';
import type { AiProvider, SentimentScore } from './provider.ts';

/** What to write: the config of an `ai.generateSubject` node. */
export interface SubjectBrief {
  brief: string;
  variants: number;
  tone?: string | undefined;
  maxLength?: number | undefined;
}

/** A generated subject line with its sentiment. */
export interface ScoredSubject {
  subject: string;
  sentiment: SentimentScore;
}

const sameSubject = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Keeps the variants that may go out: no banned word, within `maxLength`, no repeats, at most
 * `variants` of them. The models filter the same way; this holds for any provider.
 */
export function allowedSubjects(
  candidates: readonly string[],
  brief: SubjectBrief,
  bannedWords: readonly string[],
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of candidates) {
    const subject = raw.trim();
    const key = sameSubject(subject);
    if (key === '' || seen.has(key)) continue;
    if (brief.maxLength !== undefined && subject.length > brief.maxLength) continue;
    if (bannedWordIn(subject, bannedWords) !== undefined) continue;
    seen.add(key);
    out.push(subject);
    if (out.length === brief.variants) break;
  }
  return out;
}

/**
 * Writes subject-line variants for a workspace the one way the runtime does it, for the
 * `ai.generateSubject` node and the editor's preview alike: generate with the workspace's banned
 * words (its own list, else WAYMARK_BANNED_WORDS), filter, then score each variant's sentiment.
 * Throws `ModelError` (`no_variants` when nothing passes the filters).
 */
export async function writeSubjects(
  services: Pick<Services, 'db' | 'config'>,
  ai: AiProvider,
  workspaceId: string,
  brief: SubjectBrief,
): Promise<ScoredSubject[]> {
  const { words } = await bannedWordsOf(services.db, workspaceId, services.config.bannedWords);
  const generated = await ai.generateSubjects({
    workspaceId,
    brief: brief.brief,
    tone: brief.tone,
    variants: brief.variants,
    maxLength: brief.maxLength,
    bannedWords: words,
  });
  const subjects = allowedSubjects(generated, brief, words);
  if (subjects.length === 0)
    throw new ModelError(
      'no_variants',
      `none of the ${generated.length} generated subject lines passed the filters (maximum length ${brief.maxLength ?? 'none'}, ${words.length} banned words, duplicates)`,
    );
  const scores = await ai.sentiment(subjects);
  if (scores.length !== subjects.length)
    throw new ModelError('inference_failed', `the sentiment model scored ${scores.length} of ${subjects.length} texts`);
  return subjects.map((subject, i) => ({ subject, sentiment: scores[i] as SentimentScore }));
}
