// Builds the web console (console/src) into dist/console, which the node serves at / of its HTTP
// listener. Everything is bundled: the console works air-gapped, with no CDN.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No source maps in the package; the sources are in console/src.
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
});
