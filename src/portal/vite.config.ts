import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { compression } from 'vite-plugin-compression2';

// The web portal (issue 16): built into <repo>/dist/portal, served by the server under /portal/
// (src/server/routes/portal/portal-routes.ts). Hashed file names; nothing inline (the CSP has no 'unsafe-inline'):
// no data: assets and no module-preload polyfill (Chromium supports modulepreload).
// Every text asset is also written precompressed beside itself, `<file>.br` (brotli, quality 11) and `<file>.gz`
// (gzip, level 9), by vite-plugin-compression2 (skipped where compression would not shrink it); the server sends
// them by Accept-Encoding (@fastify/static preCompressed), so nothing is compressed per request.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/portal/',
  plugins: [
    preact({ prerender: { enabled: false } }),
    compression({ algorithms: ['brotliCompress', 'gzip'], logLevel: 'silent' }),
  ],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/portal', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    // Brotli at quality 11 takes seconds: that is expected, not a slow plugin worth a warning on every build.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
