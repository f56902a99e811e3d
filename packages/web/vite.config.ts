import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The server serves dist/ at `/` under a CSP without inline scripts: the build must emit only
 * external scripts (no inlined assets as scripts, no eval), which Vite's defaults already do.
 * In development, `vite` proxies the API to a local `arkiv serve` on :8080.
 */
const apiTarget = process.env.ARKIV_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // No data: URLs in script-adjacent assets; CSS may still inline tiny images (img-src allows data:).
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': apiTarget,
      '/security': apiTarget,
      '/openapi.json': apiTarget,
    },
  },
});
