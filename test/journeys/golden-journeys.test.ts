import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@waymark/cli';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../examples/journeys');
const journeys = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory());

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('golden journeys in examples/journeys', () => {
  it('has at least five journeys', () => {
    expect(journeys.length).toBeGreaterThanOrEqual(5);
  });

  for (const { name } of journeys) {
    const dir = join(root, name);
    it(`${name}: validates`, async () => {
      const { code, out } = await cli(['validate', join(dir, 'journey.json')]);
      expect(out.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ valid: true })]);
      expect(code).toBe(0);
    });

    it(`${name}: simulates to the expected steps`, async () => {
      const args = [
        'simulate',
        join(dir, 'journey.json'),
        '--contact',
        join(dir, 'contact.json'),
        '--events',
        join(dir, 'events.jsonl'),
      ];
      const extra = join(dir, 'args.json');
      try {
        args.push(...(JSON.parse(readFileSync(extra, 'utf8')) as string[]));
      } catch {
        // no extra arguments for this journey
      }
      const { code, out } = await cli(args);
      const expected = readFileSync(join(dir, 'expected.jsonl'), 'utf8').trim().split('\n');
      expect(out).toEqual(expected);
      expect(code).toBe(0);
    });
  }
});
