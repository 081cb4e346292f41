#!/usr/bin/env -S npx tsx
import { runCli } from './cli.ts';

const lines: string[] = [];
const code = await runCli(process.argv.slice(2), {
  out: (line) => lines.push(line),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
process.exitCode = code;
