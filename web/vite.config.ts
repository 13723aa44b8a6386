import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'
import { apiProxy } from './dev/api-routes'

const template = fileURLToPath(new URL('../template.yaml', import.meta.url))
const lambdaPort = process.env.LAMBDA_PORT ?? '9000'
const emulator = process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566'

const localProxy = {
  '/api': apiProxy(template, `http://127.0.0.1:${lambdaPort}`),
  // Browser uploads to the emulated S3 (UPLOAD_URL): moto answers POSTs without CORS
  // headers, so locally they go through this origin; in AWS they go straight to S3.
  '/__s3': { target: emulator, rewrite: (url: string) => url.replace(/^\/__s3/, '') },
}

/** Initial JavaScript (the entry chunk and what it imports statically) must stay within the
 * budget, gzipped; pages load as their own chunks. Prints the figure, fails the build above it. */
function initialJsBudget(limitKb: number): Plugin {
  return {
    name: 'initial-js-budget',
    apply: 'build',
    generateBundle(_, bundle) {
      const entry = Object.values(bundle).find((file) => file.type === 'chunk' && file.isEntry)
      if (!entry || entry.type !== 'chunk') return
      const files = new Set<string>()
      const walk = (name: string) => {
        const file = bundle[name]
        if (files.has(name) || !file || file.type !== 'chunk') return
        files.add(name)
        file.imports.forEach(walk)
      }
      walk(entry.fileName)
      const gzip = (name: string) => {
        const file = bundle[name]
        return file?.type === 'chunk' ? gzipSync(file.code).length : 0
      }
      const initial = [...files].reduce((sum, name) => sum + gzip(name), 0) / 1000
      const pages = Object.values(bundle).filter((file) => file.type === 'chunk' && !files.has(file.fileName))
      const largest = pages.map((file) => ({ name: file.fileName, kb: gzip(file.fileName) / 1000 })).sort((a, b) => b.kb - a.kb)[0]
      const line = `Initial JavaScript: ${initial.toFixed(1)} kB gzip in ${files.size} file(s) (budget ${limitKb} kB); ${pages.length} lazy chunks, largest ${largest ? `${largest.name} ${largest.kb.toFixed(1)} kB` : 'none'}`
      if (initial > limitKb) this.error(line)
      console.log(`\n${line}`)
    },
  }
}

export default defineConfig({
  plugins: [initialJsBudget(120)],
  // JSX through esbuild (React's automatic runtime); no extra plugin needed.
  esbuild: { jsx: 'automatic' },
  server: { proxy: localProxy },
  // Pages load lazily: scan them all at start-up, so the dev server never finds a dependency
  // on first visit and reloads the page under a test.
  optimizeDeps: { entries: ['index.html', 'src/pages/*.tsx', 'src/components/*.tsx'], include: ['@simplewebauthn/browser'] },
  // `vite preview` serves the production build the same way (the Lighthouse run measures it).
  preview: { proxy: localProxy },
  build: { outDir: 'dist', sourcemap: true },
  test: { environment: 'jsdom', globals: true, include: ['src/**/*.test.{ts,tsx}', 'dev/**/*.test.ts'] },
})
