import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { apiProxy } from './dev/api-routes'

const template = fileURLToPath(new URL('../template.yaml', import.meta.url))
const lambdaPort = process.env.LAMBDA_PORT ?? '9000'

export default defineConfig({
  // JSX through esbuild (React's automatic runtime); no extra plugin needed.
  esbuild: { jsx: 'automatic' },
  server: {
    proxy: { '/api': apiProxy(template, `http://127.0.0.1:${lambdaPort}`) },
  },
  build: { outDir: 'dist', sourcemap: true },
  test: { environment: 'jsdom', globals: true, include: ['src/**/*.test.{ts,tsx}', 'dev/**/*.test.ts'] },
})
