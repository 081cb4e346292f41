import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

// One config, three builds (see package.json "build"):
//   default  the standalone app the runtime serves            → dist/
//   lib      the React component library (React external)     → dist/lib/
//   element  <waymark-journey-editor>, React bundled, for any page → dist/embed/
export default defineConfig(({ command, mode }): UserConfig => {
  // Vite makes only `--mode production` builds production builds; the lib and element builds are too.
  if (command === 'build') process.env.NODE_ENV = 'production';
  const plugins = [react()];
  if (mode === 'lib')
    return {
      plugins,
      build: {
        outDir: 'dist/lib',
        emptyOutDir: true,
        sourcemap: true,
        lib: { entry: 'src/index.ts', formats: ['es'], fileName: 'waymark-editor' },
        rolldownOptions: {
          external: (id) => /^(react|react-dom)(\/|$)/.test(id),
        },
      },
    };
  if (mode === 'element')
    // A plain (not library) build so that the file pages load as it is gets fully minified.
    return {
      plugins,
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        outDir: 'dist/embed',
        emptyOutDir: true,
        sourcemap: true,
        chunkSizeWarningLimit: 1500,
        rolldownOptions: {
          input: 'src/embed/element-entry.ts',
          preserveEntrySignatures: 'exports-only',
          output: { entryFileNames: 'waymark-journey-editor.js', format: 'es' },
        },
      },
    };
  return {
    plugins,
    base: './',
    // `pnpm dev` talks to a running runtime (default http://localhost:3000) through the dev server.
    server: { proxy: { '/v1': process.env.WAYMARK_URL ?? 'http://localhost:3000' } },
    build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  };
});
