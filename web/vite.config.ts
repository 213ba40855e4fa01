import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `npm run dev` proxies the API to a running `tongban serve` (default port 8080).
const api = process.env.TONGBAN_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': new URL('./src', import.meta.url).pathname } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Element Plus and ECharts change less often than the pages: their own files cache longer.
        codeSplitting: {
          groups: [
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus)/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router)[\\/]/ },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': api, '/oauth2': api, '/.well-known': api } },
});
