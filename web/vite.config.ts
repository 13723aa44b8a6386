import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { apiProxy } from './dev/api-routes'

const template = fileURLToPath(new URL('../template.yaml', import.meta.url))
const lambdaPort = process.env.LAMBDA_PORT ?? '9000'
const emulator = process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566'

export default defineConfig({
  // JSX through esbuild (React's automatic runtime); no extra plugin needed.
  esbuild: { jsx: 'automatic' },
  server: {
    proxy: {
      '/api': apiProxy(template, `http://127.0.0.1:${lambdaPort}`),
      // Browser uploads to the emulated S3 (UPLOAD_URL): moto answers POSTs without CORS
      // headers, so locally they go through this origin; in AWS they go straight to S3.
      '/__s3': { target: emulator, rewrite: (url) => url.replace(/^\/__s3/, '') },
    },
  },
  build: { outDir: 'dist', sourcemap: true },
  test: { environment: 'jsdom', globals: true, include: ['src/**/*.test.{ts,tsx}', 'dev/**/*.test.ts'] },
})
