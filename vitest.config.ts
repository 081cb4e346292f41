import { defineConfig } from 'vitest/config';

// CI also writes a JSON report that .ci/run turns into its closing "N passed, N failed" line.
const reportFile = process.env.WAYMARK_TEST_REPORT;

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'examples/node-package-*', 'test'],
    reporters: reportFile ? ['default', ['json', { outputFile: reportFile }]] : ['default'],
  },
});
