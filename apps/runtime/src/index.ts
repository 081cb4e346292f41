export type { AiProvider, SentimentScore, SubjectsRequest } from './ai/provider.ts';
export { type RuntimeConfig, readConfig } from './config.ts';
export { createLogger, type Logger } from './logger.ts';
export { type RunningRuntime, type RuntimeOverrides, startRuntime } from './server.ts';
