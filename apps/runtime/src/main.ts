import { readConfig } from './config.ts';
import { ConfigFileError } from './config-file.ts';
import { NodePackageError } from './node-packages.ts';
import { type RunningRuntime, startRuntime } from './server.ts';

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
const lines = [
  '',
  `  Waymark is running at ${runtime.url}`,
  `  Open the editor (one-time sign-in link): ${runtime.signInUrl}`,
];
if (runtime.apiKey) lines.push(`  API key for the default workspace (shown once, keep it): ${runtime.apiKey}`);
else if (!config.apiKey) lines.push('  API key: created on first start (set WAYMARK_API_KEY to add a known key)');
lines.push('');
process.stdout.write(`${lines.join('\n')}\n`);

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
