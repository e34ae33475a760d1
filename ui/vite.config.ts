/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'

// `npm run dev` proxies the API to a running `recoup serve` (`recoup serve` default port 8080; override with RECOUP_API).
const apiTarget = process.env.RECOUP_API ?? 'http://127.0.0.1:8080'

export default defineConfig({
  // Relative asset paths: the bundle is served from Tauri's custom protocol and from `recoup serve`.
  base: './',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/api': { target: apiTarget, changeOrigin: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.spec.ts'],
    setupFiles: ['tests/setup.ts'],
    // Let Vite resolve Element Plus's own imports (async-validator's ESM build); Node's CJS interop
    // would otherwise hand form validation a module object instead of the validator class.
    server: { deps: { inline: ['element-plus'] } },
  },
})
