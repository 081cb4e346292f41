/** What to write subject lines about, for whom, and what they must not contain. */
export interface SubjectsRequest {
  workspaceId: string;
  brief: string;
  tone?: string | undefined;
  /** How many distinct variants to return. */
  variants: number;
  /** Longest subject line allowed, in characters. */
  maxLength?: number | undefined;
  /** The workspace's banned words or phrases (whole words, case-insensitive). */
  bannedWords: readonly string[];
}

/** A text's sentiment: the most likely label and a score in −1…1 where positive is good. */
export interface SentimentScore {
  label: string;
  score: number;
}

/**
 * What an AI provider must do for the AI nodes and the editor's AI panel; `@waymark/models`
 * implements it (see models-provider.ts), a test or an embedding product may supply another.
 * The runtime filters and scores what `generateSubjects` returns (ai/subjects.ts), so a provider
 * that ignores `bannedWords` still never gets a banned word through.
 */
export interface AiProvider {
  generateSubjects(request: SubjectsRequest): Promise<string[]>;
  /** One result per text, in order. */
  sentiment(texts: string[]): Promise<SentimentScore[]>;
}
