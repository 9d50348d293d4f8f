// The build that standbyd compiles into its resources (resources/CMakeLists.txt). Constraints
// from there and from the daemon's Content-Security-Policy (default-src 'self'):
// - fixed file names, no content hashes: qt_add_resources needs the list when CMake configures;
// - one script and one style sheet, both files: no inline <script> or <style>, no data: URLs;
// - everything local: no CDN, no web fonts.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
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
