import { readConfig } from './config.ts';
import { ConfigFileError } from './config-file.ts';
import { NodePackageError } from './node-packages.ts';
import { type RunningRuntime, startRuntime } from './server.ts';
import { startBanner } from './start-banner.ts';

/** Starts the runtime; a bad config file or a broken node package ends the process with its message alone. */
async function start(): Promise<{ config: ReturnType<typeof readConfig>; runtime: RunningRuntime }> {
  try {
    const config = readConfig();
    return { config, runtime: await startRuntime(config) };
  } catch (e) {
    if (!(e instanceof ConfigFileError || e instanceof NodePackageError)) throw e;
    process.stderr.write(`Waymark could not start: ${e.message}\n`);
    process.exit(1);
  }
}

const { config, runtime } = await start();
process.stdout.write(
  startBanner({
    url: runtime.url,
    signInUrl: runtime.signInUrl,
    apiKey: runtime.apiKey,
    keyConfigured: config.apiKey !== undefined,
  }),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
