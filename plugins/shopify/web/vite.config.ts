// The embedded admin page's build, served by Chaseline at /plugins/shopify/app
// (api/routes/plugins/shopify.embedded.ts puts the shopify-api-key meta and App Bridge's script
// into its head). React 18 and Polaris are this package's own: dedupe keeps one React.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/plugins/shopify/app/',
  plugins: [react()],
  resolve: { dedupe: ['react', 'react-dom'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2000,
  },
});
