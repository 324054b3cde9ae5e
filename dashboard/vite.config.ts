/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the app on :5173 and forwards the API to a running
// robust-server (ROBUST_ADMIN_URL, default http://127.0.0.1:58080), so the
// browser sees one origin as it does when robust-server serves dist/.
const target = process.env.ROBUST_ADMIN_URL ?? 'http://127.0.0.1:58080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': target,
      '/health': target,
      '/metrics': target,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate, long-cached files.
        manualChunks: {
          react: ['react', 'react-dom', 'react-router-dom'],
          mantine: ['@mantine/core', '@mantine/hooks', '@mantine/modals', '@mantine/notifications'],
          query: ['@tanstack/react-query'],
          charts: ['recharts'],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // ctest runs this beside the C++ tests: allow for a loaded machine.
    testTimeout: 30000,
  },
});
