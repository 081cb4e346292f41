import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runHandWritten, runInterpreter } from './interpreter.bench.ts';

// Benchmarks print JSON and compare each figure with a baseline measured in the same process,
// because this machine is shared and noisy. They never fail on a timing.
const quick = process.argv.includes('--quick');
const contacts = quick ? 5_000 : 100_000;

runInterpreter(Math.min(contacts, 5_000)); // warm-up: JIT and caches
runHandWritten(Math.min(contacts, 5_000));

const interp = runInterpreter(contacts);
const base = runHandWritten(contacts);
const interpreterRate = interp.transitions / interp.seconds;
const baselineRate = base.transitions / base.seconds;

const report = {
  time: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
  quick,
  interpreter_contacts: contacts,
  interpreter_transitions: interp.transitions,
  interpreter_transitions_per_s: Math.round(interpreterRate),
  interpreter_baseline_handwritten_transitions_per_s: Math.round(baselineRate),
  interpreter_fraction_of_handwritten: Number((interpreterRate / baselineRate).toFixed(4)),
  interpreter_target_transitions_per_s: 1_000_000,
};

const out = join(import.meta.dirname, 'results', quick ? 'quick.json' : 'latest.json');
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);
