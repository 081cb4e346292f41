import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [react()],
  test: {
    name: 'editor',
    environment: 'happy-dom',
    // The editor puts its stylesheet (imported with ?inline) into its shadow root; tests check it is there.
    css: true,
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
