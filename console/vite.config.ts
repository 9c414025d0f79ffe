// The console's build: served by the API at /app (api/routes/console.ts), built by
// api/runtime/web-build.ts when missing or stale.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Hashed file names under assets/ are what lets the server cache them for a year.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
  },
});
