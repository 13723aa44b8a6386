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

/** The app is written against React's API and runs on Preact's compatibility layer: the same
 * components, hooks, TanStack Query and React Router, in a tenth of the script to download, parse
 * and run (what a phone's slow CPU spends its first second on). Types stay React's. */
const preact = {
  react: 'preact/compat',
  'react-dom/client': 'preact/compat/client',
  'react-dom': 'preact/compat',
  'react/jsx-runtime': 'preact/jsx-runtime',
  'react/jsx-dev-runtime': 'preact/jsx-runtime',
}

export default defineConfig({
  plugins: [initialJsBudget(120)],
  // JSX through esbuild (the automatic runtime, Preact's by the aliases); no extra plugin needed.
  esbuild: { jsx: 'automatic' },
  resolve: { alias: preact, dedupe: ['preact'] },
  server: { proxy: localProxy },
  // Pages load lazily: scan them all at start-up, so the dev server never finds a dependency
  // on first visit and reloads the page under a test.
  optimizeDeps: { entries: ['index.html', 'src/pages/*.tsx', 'src/components/*.tsx'], include: ['@simplewebauthn/browser'] },
  // `vite preview` serves the production build the same way (the Lighthouse run measures it).
  preview: { proxy: localProxy },
  build: {
    outDir: 'dist',
    sourcemap: true,
    rollupOptions: {
      // TanStack Query marks its modules "use client" for server-component bundlers; in a static
      // app the directive means nothing, and the warnings (one per module) hid real ones.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') return
        warn(warning)
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}', 'dev/**/*.test.ts'],
    // `make test` runs these beside the Rust suite on two cores: a test that takes 4 s alone
    // (generating the API types) can take three times that there. A hang still fails.
    testTimeout: 20_000,
    // The unit tests render on Preact too: libraries that import React go through the aliases.
    // (React Router's Node entry is CommonJS, which would require React itself: take its ES build.)
    server: { deps: { inline: ['@tanstack/react-query', 'react-router'] } },
    alias: [{ find: /^react-router$/, replacement: fileURLToPath(new URL('node_modules/react-router/dist/development/index.mjs', import.meta.url)) }],
  },
})
