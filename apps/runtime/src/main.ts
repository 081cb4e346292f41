import { readConfig } from './config.ts';
import { startRuntime } from './server.ts';

const config = readConfig();
const runtime = await startRuntime(config);
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
