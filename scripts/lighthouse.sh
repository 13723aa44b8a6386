#!/usr/bin/env bash
# Lighthouse against the production build of the web app, served by `vite preview` beside a
# running stack (its functions answer /api). Signs in a client and an agency owner unless their
# cookies are given.   scripts/lighthouse.sh STACK_DIR   (make lighthouse uses .dev)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.dev}
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
PREVIEW_PORT=${PREVIEW_PORT:-4173}
CLIENT_COOKIE=${CLIENT_COOKIE:-$(scripts/session-cookie.sh "$dir" alice@northwind.example)}
ADMIN_COOKIE=${ADMIN_COOKIE:-$(scripts/session-cookie.sh "$dir" admin@agency.example)}
export CLIENT_COOKIE ADMIN_COOKIE LAMBDA_PORT
# make test builds web/dist earlier, beside the Rust tests, and says so with WEB_BUILT=1.
[ "${WEB_BUILT:-}" = 1 ] || (cd web && npx vite build --logLevel warn)
(cd web && exec setsid npx vite preview --port "$PREVIEW_PORT" --strictPort --host 127.0.0.1) >"$dir/preview.log" 2>&1 &
preview=$!
trap 'kill -- -$preview 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$PREVIEW_PORT/" && break
  sleep 0.5
done
# localhost, as PUBLIC_URL is: the session cookie (host-only) goes to any port of it.
(cd web && PREVIEW_URL="http://localhost:$PREVIEW_PORT" node e2e/lighthouse.mjs)
