import { parseArgs } from 'node:util';
import type { Models } from '@waymark/models';
import { CliError } from './cli-error.ts';

/** Where the AI commands write. */
interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Usage lines of the `ai` commands. */
export const aiUsage = `  waymark ai sentiment "TEXT"
  waymark ai subjects --brief "TEXT" --variants N [--tone TONE] [--max-length L] [--banned WORD,WORD]
  (models: WAYMARK_MODELS_DIR, e.g. packages/models/test-models; else downloaded from the Hugging Face hub
   by name unless WAYMARK_MODELS_OFFLINE=1; see packages/models/README.md)`;

/** What to try when no model loads: the small models that ship with the repository. */
export const modelsHint =
  'To try it with the small models in this repository: WAYMARK_MODELS_DIR=packages/models/test-models pnpm waymark ai …';

/** Loads the models in this process (the command is a one-shot); Transformers.js is imported only here. */
async function openModels(env: NodeJS.ProcessEnv): Promise<Models> {
  const { createModels, modelsOptionsFromEnv } = await import('@waymark/models');
  return createModels({ ...modelsOptionsFromEnv(env), threads: 0 });
}

/** Runs `use` on the models and closes them; model errors become coded CLI errors. */
async function withModels<T>(env: NodeJS.ProcessEnv, use: (models: Models) => Promise<T>): Promise<T> {
  const { ModelError } = await import('@waymark/models');
  let models: Models | undefined;
  try {
    models = await openModels(env);
    return await use(models);
  } catch (e) {
    if (e instanceof ModelError)
      throw new CliError(e.code, e.code === 'model_unavailable' ? `${e.message} ${modelsHint}` : e.message);
    throw e;
  } finally {
    await models?.close();
  }
}

function whole(option: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new CliError('invalid_input', `${option}: "${value}" is not a whole number`);
  return n;
}

/**
 * `waymark ai sentiment TEXT` prints `{"label","score"}`; `waymark ai subjects --brief …` prints a JSON
 * array of distinct subject lines.
 */
export async function runAi(args: readonly string[], io: Io, env: NodeJS.ProcessEnv, usage: string): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'sentiment') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new CliError('usage', usage);
    const [result] = await withModels(env, (models) => models.sentiment.classify([positionals[0] as string]));
    io.out(JSON.stringify({ label: result?.label, score: Number(result?.score.toFixed(4)) }));
    return 0;
  }
  if (sub === 'subjects') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        brief: { type: 'string' },
        variants: { type: 'string' },
        tone: { type: 'string' },
        'max-length': { type: 'string' },
        banned: { type: 'string' },
      },
    });
    if (positionals.length > 0 || values.brief === undefined) throw new CliError('usage', usage);
    const variants = whole('--variants', values.variants, 3) as number;
    const maxLength = whole('--max-length', values['max-length'], undefined);
    const bannedWords = (values.banned ?? '')
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean);
    const brief = values.brief;
    const subjects = await withModels(env, (models) =>
      models.subjects.generate({ brief, tone: values.tone, variants, maxLength, bannedWords }),
    );
    if (subjects.length < variants)
      io.err(`only ${subjects.length} of ${variants} distinct subject lines passed the filters`);
    io.out(JSON.stringify(subjects));
    return 0;
  }
  throw new CliError('usage', usage);
}
