// Which running stack the end-to-end suite drives: the one `scripts/stack.sh up DIR` started
// (`make dev` uses .dev; `make test` its own). DIR/env holds the stack's ports and settings.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'dotenv'

export const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = process.env.E2E_STACK_DIR ?? '.dev'
const env = parse(readFileSync(`${root}/${dir}/env`, 'utf8'))

export const stack = {
  /** The web app's origin as the API knows it (PUBLIC_URL): cookies and the origin check use it. */
  baseUrl: env.PUBLIC_URL ?? `http://localhost:${env.WEB_PORT ?? '5173'}`,
  /** The newest magic-link token mailed to `email`, read from the emulator's SES mailbox. */
  token(email: string): string {
    return execFileSync(`${root}/target/debug/portal`, ['mailbox', '--to', email, '--token'], {
      cwd: root,
      env: { ...process.env, ...env },
    })
      .toString()
      .trim()
  },
}

export const accounts = {
  alice: 'alice@northwind.example',
  bob: 'bob@northwind.example',
  carol: 'carol@globex.example',
  admin: 'admin@agency.example',
} as const

export type Account = keyof typeof accounts
export const authFile = (account: Account) => `${root}/web/test-results/.auth/${account}.json`
