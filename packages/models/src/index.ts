export {
  defaultModels,
  distilbertSst2,
  emailToneTinyBert,
  laminiFlanT5,
  type ModelDtype,
  type ModelSpec,
  modelCatalog,
  type SentimentModelSpec,
  type SubjectModelSpec,
  subjectLineTinyGpt2,
} from './catalog.ts';
export { ModelError, type ModelErrorCode, modelErrorCodes } from './errors.ts';
export { type Fetch, fetchWithIdleTimeout } from './hub-fetch.ts';
export { createModels, type Models, type ModelsStats, type ScoredSubjects } from './models.ts';
export { type SentimentModel, type SentimentResult, sentimentOf } from './sentiment.ts';
export {
  type HubOptions,
  type ModelsOptions,
  modelsOptionsFromEnv,
  type ResolvedModels,
  resolveModels,
  testModelsDir,
} from './settings.ts';
export { bannedWordIn, type SubjectGenerator, type SubjectRequest } from './subjects.ts';
