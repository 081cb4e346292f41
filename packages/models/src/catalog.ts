/** Numeric precision of the ONNX weights to load (`fp32` reads `onnx/model.onnx`, `q8` `onnx/model_quantized.onnx`). */
export type ModelDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';

/** How to run and read a text-classification model as a sentiment score. */
export interface SentimentModelSpec {
  kind: 'sentiment';
  /** Hub id (`Xenova/...`) or folder name under the models directory. */
  model: string;
  dtype: ModelDtype;
  /**
   * The score of each label in −1…1 (positive is good); a text's score is the sum over labels of
   * probability × label score, so `{ NEGATIVE: -1, NEUTRAL: 0, POSITIVE: 1 }` gives P(pos) − P(neg).
   */
  labelScores: Record<string, number>;
}

/** How to prompt a generation model for subject lines and read its answer. */
export interface SubjectModelSpec {
  kind: 'subjects';
  /** Hub id (`Xenova/...`) or folder name under the models directory. */
  model: string;
  task: 'text-generation' | 'text2text-generation';
  dtype: ModelDtype;
  /** The prompt, with `{brief}` and `{tone}` filled in per request. */
  prompt: string;
  /** The tone used when a request names none. */
  defaultTone: string;
  /** Tones the model was trained on; without a requested tone, variants cycle through them for variety. */
  tones?: readonly string[];
  /** Most tokens generated per subject line. */
  maxNewTokens: number;
  /** Sampling settings for variants after the first (greedy) one. */
  temperature: number;
  topK: number;
}

/** A model's configuration, for either role. */
export type ModelSpec = SentimentModelSpec | SubjectModelSpec;

/** The project's own tiny test models (in `packages/models/test-models`), trained offline for tests and demos. */
export const emailToneTinyBert: SentimentModelSpec = {
  kind: 'sentiment',
  model: 'email-tone-tiny-bert',
  dtype: 'fp32',
  labelScores: { NEGATIVE: -1, NEUTRAL: 0, POSITIVE: 1 },
};

/** Writes a subject from `"<topic> | <tone> =>"`; knows five tones. */
export const subjectLineTinyGpt2: SubjectModelSpec = {
  kind: 'subjects',
  model: 'subject-line-tiny-gpt2',
  task: 'text-generation',
  dtype: 'fp32',
  prompt: '{brief} | {tone} =>',
  defaultTone: 'friendly',
  tones: ['friendly', 'promotional', 'informative', 'urgent', 'apologetic'],
  maxNewTokens: 24,
  temperature: 1,
  topK: 20,
};

/** DistilBERT fine-tuned on SST-2, as published for Transformers.js: the default sentiment model from the hub. */
export const distilbertSst2: SentimentModelSpec = {
  kind: 'sentiment',
  model: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
  dtype: 'q8',
  labelScores: { NEGATIVE: -1, POSITIVE: 1 },
};

/** LaMini-Flan-T5 (77M), an instruction-tuned T5 published for Transformers.js: the default subject model from the hub. */
export const laminiFlanT5: SubjectModelSpec = {
  kind: 'subjects',
  model: 'Xenova/LaMini-Flan-T5-77M',
  task: 'text2text-generation',
  dtype: 'q8',
  prompt: 'Write one short, {tone} email subject line about: {brief}',
  defaultTone: 'friendly',
  maxNewTokens: 32,
  temperature: 0.9,
  topK: 40,
};

/** Models whose configuration is known, by name; a model not listed here is configured in code. */
export const modelCatalog: Readonly<Record<string, ModelSpec>> = Object.fromEntries(
  [distilbertSst2, laminiFlanT5, emailToneTinyBert, subjectLineTinyGpt2].map((s) => [s.model, s]),
);

/** The models used when none is named: the hub defaults. */
export const defaultModels = { sentiment: distilbertSst2.model, subjects: laminiFlanT5.model } as const;
