import type { Problem } from '../errors.ts';
import { currentSchemaVersion } from './definition.ts';

/** Turns a document of version `n` into version `n + 1`. */
export type DefinitionMigration = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * Migrations keyed by the version they upgrade from. Version 1 is current, so this is empty; a
 * `schemaVersion: 2` adds `1: (doc) => …` here with its tests.
 */
export const definitionMigrations: Readonly<Record<number, DefinitionMigration>> = {};

/** Brings a stored journey document up to the current schema version, or says why it cannot. */
export function migrateDefinition(
  doc: unknown,
  migrations: Readonly<Record<number, DefinitionMigration>> = definitionMigrations,
  target: number = currentSchemaVersion,
): { ok: true; doc: Record<string, unknown> } | { ok: false; problems: Problem[] } {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return {
      ok: false,
      problems: [{ code: 'invalid_definition', message: 'a journey definition must be a JSON object' }],
    };
  let current = doc as Record<string, unknown>;
  const version = current.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return {
      ok: false,
      problems: [
        { code: 'invalid_definition', message: 'schemaVersion must be a positive integer', path: ['schemaVersion'] },
      ],
    };
  if (version > target)
    return {
      ok: false,
      problems: [
        {
          code: 'unsupported_schema_version',
          message: `schemaVersion ${version} is newer than this version of Waymark understands (${target})`,
          path: ['schemaVersion'],
        },
      ],
    };
  for (let v = version; v < target; v++) {
    const step = migrations[v];
    if (!step)
      return {
        ok: false,
        problems: [
          {
            code: 'unsupported_schema_version',
            message: `no migration from schemaVersion ${v}`,
            path: ['schemaVersion'],
          },
        ],
      };
    current = { ...step(current), schemaVersion: v + 1 };
  }
  return { ok: true, doc: current };
}
