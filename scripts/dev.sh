#!/usr/bin/env bash
# `make dev`: the whole stack on the usual ports, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'scripts/stack.sh down .dev' EXIT INT TERM
scripts/stack.sh up .dev
WEB_PORT=$(sed -n 's/^WEB_PORT=//p' .dev/env)
cat <<MSG

Client Portal is running.
  Web app      http://localhost:$WEB_PORT/login   (sign in with an address above)
  API          http://localhost:$WEB_PORT/api/*   (routes from template.yaml)
  Dev mailbox  make mailbox                      (in another terminal)
  Fake Harvest http://127.0.0.1:4580/v2/invoices   (demo invoices; token dev-token)
  Notifications drained every 10 s; "right away" mail is batched over 20 s (make mailbox)
  Logs         .dev/{moto,lambda,web,harvest,drain}.log

Try it from a terminal:
  curl -i -X POST localhost:$WEB_PORT/api/auth/login -d '{"email":"alice@northwind.example"}'
  make mailbox
  curl -i -c jar -X POST localhost:$WEB_PORT/api/auth/verify -d '{"token":"<token from the mailbox>"}'
  curl -b jar localhost:$WEB_PORT/api/dashboard
Ctrl-C stops everything.
MSG
# Stay up while every component is.
while true; do
  while read -r pid; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "A component stopped; see .dev/*.log" >&2
      exit 1
    fi
  done <.dev/pids
  sleep 2
done
