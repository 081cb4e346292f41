// Entry of a model worker thread. Worker threads do not get the TypeScript loader of the process that
// starts them (neither tsx's nor a test runner's), so tsx's loader is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
