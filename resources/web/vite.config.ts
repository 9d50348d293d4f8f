// The build that standbyd compiles into its resources (resources/CMakeLists.txt). Constraints
// from there and from the daemon's Content-Security-Policy (default-src 'self'):
// - fixed file names, no content hashes: qt_add_resources needs the list when CMake configures;
// - one script and one style sheet, both files: no inline <script> or <style>, no data: URLs;
// - everything local: no CDN, no web fonts.
import { defineConfig } from 'vite';

// `npm run dev` serves the sources with live reload and passes /api to a running daemon
// (STANDBY_URL, default http://127.0.0.1:8080). The daemon only answers to its own name, so the
// proxy presents the daemon's host, and drops the dev server's Origin, which the daemon would
// take for a foreign page; the UI's X-Standby-Request header still guards what changes state.
const daemon = process.env.STANDBY_URL || 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': {
        target: daemon,
        changeOrigin: true,
        ws: true,
        configure: (proxy) => {
          proxy.on('proxyReq', (request) => request.removeHeader('origin'));
          proxy.on('proxyReqWs', (request) => request.removeHeader('origin'));
        },
      },
    },
  },
  publicDir: 'public',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: process.env.STANDBY_WEB_OUT || 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      output: {
        inlineDynamicImports: true,
        entryFileNames: 'assets/app.js',
        assetFileNames: (asset) =>
          (asset.names ?? []).some((n) => n.endsWith('.css')) ? 'assets/app.css' : 'assets/[name][extname]',
      },
    },
  },
});
