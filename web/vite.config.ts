import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The civictwin web app. `npm run build:web` (and the server at first start) builds it into
 * `web/dist`; `npm run dev` serves it with hot reload and proxies the API (src/web/dev.ts).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre alone is ~1 MB minified; one chunk per big library (downloaded in parallel, cached
    // across app updates) keeps the size warning meaningful for our own code.
    chunkSizeWarningLimit: 1100,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
          ],
        },
      },
    },
  },
  server: { port: 5173, strictPort: false },
});
