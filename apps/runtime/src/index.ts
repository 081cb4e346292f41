export { type RuntimeConfig, readConfig } from './config.ts';
export type { AiProvider } from './effects/worker.ts';
export { createLogger, type Logger } from './logger.ts';
export { type RunningRuntime, type RuntimeOverrides, startRuntime } from './server.ts';
