import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './src/db/schema.ts',
    './src/db/secrets-schema.ts',
    './src/db/imports-schema.ts',
    './src/db/audience-schema.ts',
    './src/db/preferences-schema.ts',
    './src/db/ai-schema.ts',
  ],
  out: './drizzle',
});
