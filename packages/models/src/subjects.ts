import { createHash } from 'node:crypto';
import { random } from '@huggingface/transformers';
import type { SubjectModelSpec } from './catalog.ts';
import { ModelError } from './errors.ts';
import { type GeneratorPipeline, loadPipeline } from './load.ts';
import type { HubOptions } from './settings.ts';

/** What to write subject lines about, how many, and what they must not contain. */
export interface SubjectRequest {
  brief: string;
  tone?: string | undefined;
  /** How many distinct variants to return (1–20). */
  variants: number;
  /** Longest subject line allowed, in characters. */
  maxLength?: number | undefined;
  /** Words or phrases no variant may contain (case-insensitive, whole words). */
  bannedWords?: readonly string[] | undefined;
}

/** Writes distinct subject-line variants for a brief. */
export interface SubjectGenerator {
  /** The configured model's name. */
  readonly model: string;
  /**
   * Returns up to `variants` distinct subject lines that pass the length and banned-word filters; fewer
   * only when the model keeps repeating itself, and the `no_variants` error when none passes.
   */
  generate(request: SubjectRequest): Promise<string[]>;
}

/** Fills a prompt template's `{brief}` and `{tone}`. */
export function fillPrompt(template: string, brief: string, tone: string): string {
  return template.replaceAll('{brief}', brief.trim()).replaceAll('{tone}', tone);
}

/** The first line of a model's answer without quotes, a "Subject:" label or doubled spaces. */
export function cleanSubject(raw: string): string {
  const line =
    raw
      .trim()
      .split(/\r?\n/)[0]
      ?.replace(/^subject( line)?\s*:\s*/i, '') ?? '';
  return line
    .replace(/^["'“‘]+|["'”’]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Key under which two subject lines count as the same (case, spacing and final punctuation ignored). */
export function subjectKey(subject: string): string {
  return subject
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s.!?…]+$/u, '')
    .trim();
}

/** True when a word repeats three times in a row ("our our our"), the way a small model stutters. */
export function stutters(text: string): boolean {
  return /(^|\s)(\S+)\s+\2\s+\2(\s|$)/iu.test(text);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first banned word or phrase `text` contains as a whole word, case-insensitively; undefined when none. */
export function bannedWordIn(text: string, bannedWords: readonly string[]): string | undefined {
  const haystack = text.normalize('NFKC').toLowerCase();
  for (const word of bannedWords) {
    const w = word.normalize('NFKC').toLowerCase().trim();
    if (w === '') continue;
    if (new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(w)}($|[^\\p{L}\\p{N}])`, 'u').test(haystack)) return word;
  }
  return undefined;
}

/** Checks a request and fills defaults; throws `invalid_request` naming the field. */
export function checkSubjectRequest(request: SubjectRequest): SubjectRequest {
  const { brief, tone, variants, maxLength, bannedWords } = request;
  if (typeof brief !== 'string' || brief.trim() === '' || brief.length > 2000)
    throw new ModelError('invalid_request', 'brief must be a non-empty text of at most 2,000 characters');
  if (!Number.isInteger(variants) || variants < 1 || variants > 20)
    throw new ModelError('invalid_request', `variants must be a whole number from 1 to 20, got ${variants}`);
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1))
    throw new ModelError('invalid_request', `maxLength must be a positive whole number, got ${maxLength}`);
  if (tone !== undefined && (typeof tone !== 'string' || tone.length > 100))
    throw new ModelError('invalid_request', 'tone must be a text of at most 100 characters');
  if (bannedWords !== undefined && !bannedWords.every((w) => typeof w === 'string'))
    throw new ModelError('invalid_request', 'bannedWords must be a list of texts');
  return request;
}

function seedOf(request: SubjectRequest, round: number): number {
  const h = createHash('sha256').update(JSON.stringify([request.brief, request.tone, request.variants, round]));
  return h.digest().readUInt32BE(0);
}

/**
 * Generates one completion per prompt in one batch. A completion is cut at its first end-of-text
 * token; one that never ends within `maxNewTokens` is cut off mid-line and comes back undefined.
 */
async function complete(
  generator: GeneratorPipeline,
  spec: SubjectModelSpec,
  prompts: string[],
  options: Record<string, unknown>,
): Promise<(string | undefined)[]> {
  const { tokenizer, model } = generator;
  const encoderDecoder = spec.task === 'text2text-generation';
  // Decoder-only models continue the prompt, so a batch is padded on the left to end where generation starts.
  tokenizer.padding_side = encoderDecoder ? 'right' : 'left';
  const inputs = tokenizer(prompts, { padding: true, truncation: true, add_special_tokens: encoderDecoder });
  const output = await model.generate({ ...inputs, max_new_tokens: spec.maxNewTokens, ...options });
  const eos = model.generation_config?.eos_token_id ?? model.config.eos_token_id;
  const stops = new Set((Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos]).map(Number));
  // An encoder-decoder's output starts with the decoder start token; a decoder-only's with the prompt.
  const skip = encoderDecoder ? 1 : (inputs.input_ids.dims[1] as number);
  return output.tolist().map((row) => {
    const generated = row.slice(skip).map(Number);
    const end = generated.findIndex((id) => stops.has(id));
    if (end < 0) return undefined;
    return tokenizer.decode(generated.slice(0, end), { skip_special_tokens: true });
  });
}

/**
 * The prompt for a tone, with the brief shortened (whole words first) until prompt and answer fit a
 * decoder-only model's context; an encoder-decoder's input is truncated by its tokenizer instead.
 */
function promptFor(generator: GeneratorPipeline, spec: SubjectModelSpec, brief: string, tone: string): string {
  const { config } = generator.model;
  const positions = config.n_positions ?? config.max_position_embeddings;
  if (spec.task !== 'text-generation' || positions === undefined) return fillPrompt(spec.prompt, brief, tone);
  const limit = positions - spec.maxNewTokens;
  const fits = (text: string) =>
    (generator.tokenizer([text], { add_special_tokens: false }).input_ids.dims[1] as number) <= limit;
  let words = brief.trim().split(/\s+/);
  while (words.length > 1 && !fits(fillPrompt(spec.prompt, words.join(' '), tone))) words = words.slice(0, -1);
  let text = words.join(' ');
  while (text.length > 1 && !fits(fillPrompt(spec.prompt, text, tone)))
    text = text.slice(0, Math.floor(text.length / 2));
  return fillPrompt(spec.prompt, text, tone);
}

/** Sampling rounds after the greedy one before giving up on finding more distinct variants. */
const maxRounds = 8;

// Sampling draws from Transformers.js's one global generator, seeded per request so that the same
// request gives the same variants; generations in a thread therefore run one at a time.
let generating: Promise<unknown> = Promise.resolve();

/** A subject generator running in this thread; loads its pipeline on first use. */
export class LocalSubjectGenerator implements SubjectGenerator {
  #pipeline: Promise<GeneratorPipeline> | undefined;

  constructor(
    readonly spec: SubjectModelSpec,
    readonly modelsDir: string | undefined,
    readonly intraOpThreads?: number | undefined,
    readonly hub?: HubOptions | undefined,
  ) {}

  get model(): string {
    return this.spec.model;
  }

  /** Loads the pipeline now; a failed load is retried on the next call. */
  load(): Promise<GeneratorPipeline> {
    if (!this.#pipeline) {
      const loaded = loadPipeline(
        this.spec,
        this.modelsDir,
        this.intraOpThreads,
        this.hub,
      ) as Promise<GeneratorPipeline>;
      this.#pipeline = loaded;
      loaded.catch(() => {
        if (this.#pipeline === loaded) this.#pipeline = undefined;
      });
    }
    return this.#pipeline;
  }

  generate(request: SubjectRequest): Promise<string[]> {
    checkSubjectRequest(request);
    const run = () => this.#generate(request);
    const result = generating.then(run, run);
    generating = result.catch(() => undefined);
    return result;
  }

  async #generate(request: SubjectRequest): Promise<string[]> {
    const generator = await this.load();
    const { spec } = this;
    const tone = request.tone?.trim().toLowerCase();
    const tones = tone ? [tone] : (spec.tones ?? [spec.defaultTone]);
    const prompts = new Map(tones.map((t) => [t, promptFor(generator, spec, request.brief, t)]));
    const accepted: string[] = [];
    const seen = new Set<string>();
    let rejected = 0;
    const consider = (raw: string) => {
      if (accepted.length >= request.variants) return;
      const subject = cleanSubject(raw);
      const key = subjectKey(subject);
      if (
        key === '' ||
        seen.has(key) ||
        (request.maxLength !== undefined && subject.length > request.maxLength) ||
        stutters(subject) ||
        bannedWordIn(subject, request.bannedWords ?? []) !== undefined
      ) {
        rejected++;
        return;
      }
      seen.add(key);
      accepted.push(subject);
    };
    const run = async (prompts: string[], options: Record<string, unknown>) => {
      let texts: (string | undefined)[];
      try {
        texts = await complete(generator, spec, prompts, options);
      } catch (e) {
        throw new ModelError('inference_failed', `subject model "${spec.model}": ${(e as Error).message}`, {
          cause: e,
        });
      }
      for (const text of texts)
        if (text === undefined) rejected++;
        else consider(text);
    };
    // The most likely line for each tone first, then seeded samples until there are enough distinct ones.
    await run(
      tones.slice(0, request.variants).map((t) => prompts.get(t) as string),
      { do_sample: false },
    );
    for (let round = 1; round <= maxRounds && accepted.length < request.variants; round++) {
      const size = Math.min(16, Math.max(4, 2 * (request.variants - accepted.length)));
      const batch = Array.from(
        { length: size },
        (_, i) => prompts.get(tones[(i + round) % tones.length] as string) as string,
      );
      random.seed(seedOf(request, round));
      await run(batch, { do_sample: true, temperature: spec.temperature, top_k: spec.topK });
    }
    if (accepted.length === 0)
      throw new ModelError(
        'no_variants',
        `none of ${rejected} generated subject lines passed the filters (maximum length ${request.maxLength ?? 'none'}, ${request.bannedWords?.length ?? 0} banned words, duplicates)`,
      );
    return accepted;
  }

  async dispose(): Promise<void> {
    const p = this.#pipeline;
    this.#pipeline = undefined;
    await (await p?.catch(() => undefined))?.dispose();
  }
}
