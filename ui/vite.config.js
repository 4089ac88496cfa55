import { defineConfig } from 'vite';

// Everything is served by the app itself (Tauri asset protocol): relative base,
// no CDN, no remote fonts. The build goes to ui/dist (tauri.conf.json frontendDist).
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0, // the pdf.js worker stays a file (CSP worker-src 'self')
    chunkSizeWarningLimit: 1500,
    // Two pages: the main window and the PIN window (its own page, own capability).
    rollupOptions: { input: { main: 'index.html', pin: 'pin.html' } },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  test: {
    environment: 'node',
    include: ['tests/**/*.test.js'],
  },
});
