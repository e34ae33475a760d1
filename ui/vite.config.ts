/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { fileURLToPath, URL } from 'node:url'

// `npm run dev` proxies the API to a running `recoup serve` (`recoup serve` default port 8080; override with RECOUP_API).
const apiTarget = process.env.RECOUP_API ?? 'http://127.0.0.1:8080'

/**
 * `npm run dev`: `recoup serve` refuses API calls without its per-launch secret, which only the
 * index.html it serves carries; the dev page gets the same `<meta>`, read from the running server
 * when the page loads (reload the page after restarting it).
 */
function recoupSecret(): Plugin {
  return {
    name: 'recoup-secret',
    apply: 'serve',
    async transformIndexHtml() {
      const res = await fetch(apiTarget).catch(() => null)
      const found = res?.ok ? /<meta name="recoup-secret" content="([0-9a-f]*)">/.exec(await res.text()) : null
      if (!found) console.warn(`未能从 ${apiTarget} 读取访问口令：请先运行 recoup serve（界面目录需已构建）`)
      return found ? [{ tag: 'meta', attrs: { name: 'recoup-secret', content: found[1] }, injectTo: 'head-prepend' }] : []
    },
  }
}

export default defineConfig({
  // Relative asset paths: the bundle is served from Tauri's custom protocol and from `recoup serve`.
  base: './',
  plugins: [
    vue(),
    // Element Plus on demand: each <el-…> tag and v-loading in a template imports that component and
    // its CSS only (not the whole library and its 370 kB stylesheet); less for the WebView to parse
    // and keep (see ARCHITECTURE "Desktop memory"). Types stay those of `element-plus/global`.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })], dts: false }),
    recoupSecret(),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    port: 5173,
    strictPort: true,
    // changeOrigin sends the server's own Host; the dev page's Origin (localhost:5173) is dropped,
    // since `recoup serve` refuses any other origin than its own.
    proxy: {
      '/api': {
        target: apiTarget,
        changeOrigin: true,
        configure: (proxy) => proxy.on('proxyReq', (req) => req.removeHeader('origin')),
      },
    },
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
    // The first test of a file mounts Element Plus cold (2 s alone); on a 2-core machine that is also
    // compiling, that passed vitest's 5 s default once. A hang still fails.
    testTimeout: 20_000,
    // Let Vite resolve Element Plus's own imports (async-validator's ESM build); Node's CJS interop
    // would otherwise hand form validation a module object instead of the validator class.
    server: { deps: { inline: ['element-plus'] } },
  },
})
