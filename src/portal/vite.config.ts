import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The web portal (issue 16): built into <repo>/dist/portal, served by the server under /portal/
// (src/server/routes/portal/portal-routes.ts). Hashed file names; nothing inline (the CSP has no 'unsafe-inline'):
// no data: assets and no module-preload polyfill (Chromium supports modulepreload).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/portal/',
  plugins: [preact({ prerender: { enabled: false } })],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/portal', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
});
