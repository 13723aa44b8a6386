#!/usr/bin/env bash
# `make dev`: moto server (DynamoDB, S3, SES v2) → table, bucket, sender identity, demo data →
# every function under `cargo lambda watch` → the web app on Vite, whose /api/* proxy routes
# each path to its function as template.yaml does. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_PORT=${MOTO_PORT:-4566}
LAMBDA_PORT=${LAMBDA_PORT:-9000}
WEB_PORT=${WEB_PORT:-5173}
mkdir -p .dev

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() { # port, name, log, seconds
  local deadline=$((SECONDS + $4))
  until port_busy "$1"; do
    if ((SECONDS > deadline)); then
      echo "$2 did not start on port $1; its log ($3):" >&2
      tail -n 40 "$3" >&2
      exit 1
    fi
    sleep 0.5
  done
}
for port in "$MOTO_PORT" "$LAMBDA_PORT" "$WEB_PORT"; do
  if port_busy "$port"; then
    echo "Port $port is in use (another \`make dev\`?). Stop it, or set MOTO_PORT/LAMBDA_PORT/WEB_PORT." >&2
    exit 1
  fi
done

# One local environment file, created once with a random JWT secret; `make mailbox` reads it too.
if [ ! -f .dev/env ]; then
  cat > .dev/env <<ENV
AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=test
AWS_SECRET_ACCESS_KEY=test
TABLE_NAME=client-portal
FILES_BUCKET=client-portal-files
SENDER_EMAIL=portal@agency.example
PUBLIC_URL=http://localhost:$WEB_PORT
AGENCY_NAME="Brightside Studio"
JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
RUST_LOG=info
ENV
fi
set -a
# shellcheck disable=SC1091
source .dev/env
set +a
export LAMBDA_PORT

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo "== Building the functions and the CLI (first run compiles the AWS SDK: a few minutes)"
cargo build --workspace --bins

echo "== Starting moto server on :$MOTO_PORT"
MOTO_DISABLE_GLOBAL_CORS=1 moto_server -H 127.0.0.1 -p "$MOTO_PORT" >.dev/moto.log 2>&1 &
pids+=($!)
wait_for_port "$MOTO_PORT" "moto server" .dev/moto.log 30

echo "== Creating local resources and demo data"
target/debug/portal init
target/debug/portal seed | tee .dev/accounts.txt

echo "== Starting the functions (cargo lambda watch on :$LAMBDA_PORT)"
cargo lambda watch -A 127.0.0.1 -P "$LAMBDA_PORT" >.dev/lambda.log 2>&1 &
pids+=($!)
wait_for_port "$LAMBDA_PORT" "cargo lambda watch" .dev/lambda.log 120

echo "== Starting the web app (Vite on :$WEB_PORT)"
(cd web && exec npx vite --port "$WEB_PORT" --strictPort --host 127.0.0.1) >.dev/web.log 2>&1 &
pids+=($!)
wait_for_port "$WEB_PORT" "vite" .dev/web.log 60

cat <<MSG

Client Portal is running.
  Web app      http://localhost:$WEB_PORT        (sign in with an address above)
  API          http://localhost:$WEB_PORT/api/*  (routes from template.yaml)
  Dev mailbox  make mailbox                      (in another terminal)
  Logs         .dev/{moto,lambda,web}.log

Try it from a terminal:
  curl -i -X POST localhost:$WEB_PORT/api/auth/login -H 'content-type: application/json' \\
       -d '{"email":"alice@northwind.example"}'
  make mailbox
  curl -i -X POST localhost:$WEB_PORT/api/auth/verify -H 'content-type: application/json' \\
       -d '{"token":"<token from the mailbox>"}'
Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
echo "A component stopped; see .dev/*.log" >&2
