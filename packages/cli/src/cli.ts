import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  defaultRegistry,
  journeyContactSchema,
  journeyEventSchema,
  type NodeRegistry,
  type Problem,
  type RuntimeEvent,
  simulate,
  validateJourney,
} from '@waymark/nodes';
import { aiUsage, runAi } from './ai.ts';
import { CliError } from './cli-error.ts';

/** Where the CLI writes; a process's stdout/stderr, or buffers in tests. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const usage = `usage:
  waymark validate JOURNEY.json
  waymark simulate JOURNEY.json --contact CONTACT.json --events EVENTS.jsonl [--until INSTANT] [--from INSTANT] [--seed N]
${aiUsage}`;

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(
      'file_not_readable',
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function parseInstant(text: string, option: string): number {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(t))
    throw new CliError('invalid_input', `${option}: "${text}" is not an ISO 8601 instant such as 2026-03-02T10:00:00Z`);
  return t;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError('invalid_json', `${where}: not valid JSON: ${(e as Error).message}`);
  }
}

async function loadEvents(path: string): Promise<RuntimeEvent[]> {
  const text = await readText(path, 'events file');
  const events: RuntimeEvent[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parsed = journeyEventSchema.safeParse(parseJson(line, `${path}:${i + 1}`));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError('invalid_input', `${path}:${i + 1}: ${issue?.path.join('.') || 'event'}: ${issue?.message}`);
    }
    events.push({ event: parsed.data.event, at: Date.parse(parsed.data.at), properties: parsed.data.properties ?? {} });
  });
  return events;
}

async function loadJourney(path: string, registry: NodeRegistry, io: CliIo) {
  const result = validateJourney(await readText(path, 'journey'), registry);
  if (!result.ok) {
    io.out(JSON.stringify({ valid: false, errors: result.problems satisfies Problem[] }));
    return undefined;
  }
  return result.journey;
}

/** Runs the `waymark` command line; returns the exit status. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  registry: NodeRegistry = defaultRegistry(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'ai') return await runAi(rest, io, env, usage);
    if (command === 'validate') {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new CliError('usage', usage);
      const journey = await loadJourney(positionals[0] as string, registry, io);
      if (!journey) return 1;
      io.out(JSON.stringify({ valid: true, id: journey.definition.id, nodes: journey.nodes.size }));
      return 0;
    }
    if (command === 'simulate') {
      const { positionals, values } = parseArgs({
        args: rest,
        allowPositionals: true,
        strict: true,
        options: {
          contact: { type: 'string' },
          events: { type: 'string' },
          until: { type: 'string' },
          from: { type: 'string' },
          seed: { type: 'string' },
        },
      });
      if (positionals.length !== 1 || values.contact === undefined || values.events === undefined)
        throw new CliError('usage', usage);
      const journey = await loadJourney(positionals[0] as string, registry, io);
      if (!journey) return 1;
      const contactParsed = journeyContactSchema.safeParse(
        parseJson(await readText(values.contact, 'contact'), values.contact),
      );
      if (!contactParsed.success) {
        const issue = contactParsed.error.issues[0];
        throw new CliError(
          'invalid_input',
          `${values.contact}: ${issue?.path.join('.') || 'contact'}: ${issue?.message}`,
        );
      }
      const events = await loadEvents(values.events);
      const seed = values.seed === undefined ? 0 : Number(values.seed);
      if (!Number.isInteger(seed)) throw new CliError('invalid_input', `--seed: "${values.seed}" is not an integer`);
      const options: Parameters<typeof simulate>[3] = { seed };
      if (values.until !== undefined) options.until = parseInstant(values.until, '--until');
      if (values.from !== undefined) options.from = parseInstant(values.from, '--from');
      if (events.length === 0 && options.from === undefined)
        throw new CliError(
          'invalid_input',
          `${values.events}: no events; give at least one event or --from to start the clock`,
        );
      for (const line of simulate(journey, contactParsed.data, events, options)) io.out(JSON.stringify(line));
      return 0;
    }
    throw new CliError('usage', usage);
  } catch (e) {
    if (e instanceof CliError) {
      if (e.code === 'usage') io.err(e.message);
      else io.out(JSON.stringify({ error: { code: e.code, message: e.message } }));
      return e.code === 'usage' ? 2 : 1;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${e.message}\n${usage}`);
      return 2;
    }
    throw e;
  }
}
