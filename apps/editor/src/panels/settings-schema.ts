import { journeyDefinitionJsonSchema } from '@waymark/nodes';
import { type JsonSchema, resolveSchema } from './schema-form/json-schema.ts';

let settingsSchema: JsonSchema | undefined;

/** The JSON Schema of journey settings, taken from the definition's own schema (built once). */
export function journeySettingsSchema(): JsonSchema {
  if (!settingsSchema) {
    const root = journeyDefinitionJsonSchema() as JsonSchema;
    const settings = resolveSchema(root.properties?.settings, root);
    const { default: _default, ...rest } = settings;
    settingsSchema = { ...rest, $defs: root.$defs ?? {} };
  }
  return settingsSchema;
}
