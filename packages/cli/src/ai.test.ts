import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModelsDir } from '@waymark/models';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

async function run(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, undefined, env);
  return { code, out, err };
}

describe('waymark ai', () => {
  const env = { WAYMARK_MODELS_DIR: testModelsDir };
  const empty = mkdtempSync(join(tmpdir(), 'waymark-cli-no-models-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('sentiment prints the label and a score in −1…1', async () => {
    const r = await run(['ai', 'sentiment', 'We are thrilled to welcome you!'], env);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out[0] as string);
    expect(printed.label).toBe('POSITIVE');
    expect(printed.score).toBeGreaterThan(0.5);
    expect(printed.score).toBeLessThanOrEqual(1);
  });

  it('subjects prints a JSON array of N distinct strings within the length limit', async () => {
    const r = await run(
      ['ai', 'subjects', '--brief', 'running shoes', '--variants', '4', '--tone', 'friendly', '--max-length', '50'],
      env,
    );
    expect(r.code).toBe(0);
    const subjects = JSON.parse(r.out[0] as string) as string[];
    expect(subjects).toHaveLength(4);
    expect(new Set(subjects).size).toBe(4);
    for (const s of subjects) expect(s.length).toBeLessThanOrEqual(50);
  });

  it('prints the coded error naming what to configure when the model is missing', async () => {
    const r = await run(['ai', 'sentiment', 'hello'], { WAYMARK_MODELS_DIR: empty });
    expect(r.code).toBe(1);
    const printed = JSON.parse(r.out[0] as string);
    expect(printed.error.code).toBe('model_unavailable');
    expect(printed.error.message).toContain('WAYMARK_MODELS_DIR');
    expect(printed.error.message).toContain('WAYMARK_MODELS_DIR=packages/models/test-models');
  });

  it.each([
    [['ai'], 2],
    [['ai', 'sentiment'], 2],
    [['ai', 'subjects', '--variants', '2'], 2],
  ])('prints usage for %j', async (args, code) => {
    const r = await run(args, env);
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toContain('waymark ai subjects');
  });

  it('rejects a variant count that is not a number', async () => {
    const r = await run(['ai', 'subjects', '--brief', 'shoes', '--variants', 'many'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out[0] as string).error.code).toBe('invalid_input');
  });
});
