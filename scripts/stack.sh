#!/usr/bin/env bash
# The local stack, started in the background: moto server (DynamoDB, S3, SES v2) → table,
# bucket, sender identity, demo data → every function under `cargo lambda watch` → Vite, whose
# /api/* proxy routes each path to its function as template.yaml does.
#
#   scripts/stack.sh up   DIR   start (ports from MOTO_PORT/LAMBDA_PORT/WEB_PORT), wait until ready
#   scripts/stack.sh down DIR   stop what `up` started
#
# Ports: MOTO_PORT (4566), LAMBDA_PORT (9000), WEB_PORT (5173), HARVEST_PORT (4580).
# LAMBDA_WATCH_FLAGS adds flags to `cargo lambda watch` (the tests pass --ignore-changes);
# WEB_SERVER (dev) is dev or preview (below).
# LAMBDA_CONCURRENCY (2) is how many instances of a function may answer at once, as AWS starts
# one per concurrent request (the end-to-end suite runs two browsers).
#
# DIR receives env (the functions' environment), *.log, pids and accounts.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:?usage: stack.sh up|down DIR}
dir=${2:?usage: stack.sh up|down DIR}
mkdir -p "$dir"

down() {
  if [ -f "$dir/pids" ]; then
    local pids
    mapfile -t pids <"$dir/pids"
    for pid in "${pids[@]}"; do
      # Each component runs in its own process group: stop the group (cargo lambda's
      # children, vite's esbuild) as well as the leader.
      kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    done
    # Wait until they are gone (10 s, then SIGKILL): a stack started right after this one
    # (make test starts a second) would otherwise find its ports still taken.
    for pid in "${pids[@]}"; do
      for _ in $(seq 1 20); do
        kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -KILL -- "-$pid" 2>/dev/null || true
    done
    rm -f "$dir/pids"
  fi
}

if [ "$action" = down ]; then
  down
  exit 0
fi

MOTO_PORT=${MOTO_PORT:-4566}
LAMBDA_PORT=${LAMBDA_PORT:-9000}
WEB_PORT=${WEB_PORT:-5173}
HARVEST_PORT=${HARVEST_PORT:-4580}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_until() { # what, log, seconds, command…: runs the command until it succeeds, or gives up
  local what=$1 log=$2 deadline=$((SECONDS + $3))
  shift 3
  until "$@"; do
    if ((SECONDS > deadline)); then
      echo "$what did not start; the end of its log ($log):" >&2
      tail -n 40 "$log" >&2
      down
      exit 1
    fi
    sleep 0.5
  done
}
wait_for_port() { # port, name, log, seconds
  wait_until "$2 (port $1)" "$3" "$4" port_busy "$1"
}
function_answers() { curl -s "http://127.0.0.1:$LAMBDA_PORT/lambda-url/$1/api/__warmup" | grep -q '"error"'; }
for port in "$MOTO_PORT" "$LAMBDA_PORT" "$WEB_PORT" "$HARVEST_PORT"; do
  if port_busy "$port"; then
    echo "Port $port is in use (another \`make dev\`?). Stop it, or set MOTO_PORT/LAMBDA_PORT/WEB_PORT." >&2
    exit 1
  fi
done

# The environment file is written once per DIR, with a random JWT secret.
if [ ! -f "$dir/env" ]; then
  cat >"$dir/env" <<ENV
AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=test
AWS_SECRET_ACCESS_KEY=test
TABLE_NAME=client-portal
FILES_BUCKET=client-portal-files
SENDER_EMAIL=portal@agency.example
AGENCY_NOTIFY_EMAIL=studio@agency.example
PUBLIC_URL=http://localhost:$WEB_PORT
UPLOAD_URL=http://localhost:$WEB_PORT/__s3
AGENCY_NAME="Brightside Studio"
JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
RUST_LOG=info
HARVEST_BASE_URL=http://127.0.0.1:$HARVEST_PORT
HARVEST_ACCESS_TOKEN=dev-token
HARVEST_ACCOUNT_ID=dev-account
HARVEST_CONTACT_EMAIL=ops@agency.example
LAMBDA_PORT=$LAMBDA_PORT
WEB_PORT=$WEB_PORT
ENV
fi
# Added after the first release of this script: keep older .dev/env files working.
grep -q '^UPLOAD_URL=' "$dir/env" || echo "UPLOAD_URL=http://localhost:$WEB_PORT/__s3" >>"$dir/env"
# Notification mail "right away" is batched over 20 s here (5 minutes by default), so that a
# person sees the batched mail in `make mailbox` soon after acting.
grep -q '^NOTIFY_BATCH_SECONDS=' "$dir/env" || echo "NOTIFY_BATCH_SECONDS=20" >>"$dir/env"
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
: >"$dir/pids"

echo "== Building the functions and the CLI"
cargo build --quiet --workspace --bins

echo "== Starting moto server on :$MOTO_PORT"
MOTO_DISABLE_GLOBAL_CORS=1 setsid python tools/moto_server.py -H 127.0.0.1 -p "$MOTO_PORT" >"$dir/moto.log" 2>&1 &
echo $! >>"$dir/pids"
wait_for_port "$MOTO_PORT" "moto server" "$dir/moto.log" 30

echo "== Starting the fake Harvest API on :$HARVEST_PORT"
setsid target/debug/portal fake-harvest --port "$HARVEST_PORT" >"$dir/harvest.log" 2>&1 &
echo $! >>"$dir/pids"
wait_for_port "$HARVEST_PORT" "fake Harvest" "$dir/harvest.log" 30

echo "== Creating local resources and demo data"
target/debug/portal init
target/debug/portal seed | tee "$dir/accounts.txt"

echo "== Starting the functions (cargo lambda watch on :$LAMBDA_PORT)"
# cargo lambda watches the directory it starts in, even with --ignore-changes, and every
# function instance it starts walks that whole tree to watch it (target/, node_modules and the
# virtualenvs included): about a second of CPU per instance. A stack that does not reload
# starts it in an empty directory instead, with the manifest named.
watch_root=$PWD
case " ${LAMBDA_WATCH_FLAGS:-} " in
  *" --ignore-changes "*) watch_root="$dir/watch-root" && mkdir -p "$watch_root" ;;
esac
# shellcheck disable=SC2086 # LAMBDA_WATCH_FLAGS is a list of flags
(cd "$watch_root" && exec setsid cargo lambda watch --manifest-path "$OLDPWD/Cargo.toml" -A 127.0.0.1 -P "$LAMBDA_PORT" \
  --concurrency "${LAMBDA_CONCURRENCY:-2}" ${LAMBDA_WATCH_FLAGS:-}) >"$dir/lambda.log" 2>&1 &
echo $! >>"$dir/pids"
wait_for_port "$LAMBDA_PORT" "cargo lambda watch" "$dir/lambda.log" 120

# cargo lambda watch starts each function on its first request; start them all now, one at a
# time, so that the first real requests do not race a starting process.
echo "== Warming up the functions"
for fn in functions/*; do
  # The scheduled and SNS functions serve no HTTP: the drain loop below starts notify-drain.
  grep -q lambda_http "$fn/Cargo.toml" || continue
  wait_until "function ${fn#functions/}" "$dir/lambda.log" 120 function_answers "${fn#functions/}"
done

# EventBridge Scheduler's stand-in: run the notification drain every DRAIN_EVERY seconds
# through cargo lambda watch's Invoke API, as the schedule invokes the function in AWS.
echo "== Running the notification drain every ${DRAIN_EVERY:-10} s"
setsid bash -c 'while sleep "$1"; do
  curl -s -m 60 -X POST "http://127.0.0.1:$2/2015-03-31/functions/notify-drain/invocations" -d "{}" || true
  echo
done' drain "${DRAIN_EVERY:-10}" "$LAMBDA_PORT" >"$dir/drain.log" 2>&1 &
echo $! >>"$dir/pids"

# WEB_SERVER=preview serves the production build (web/dist, built beforehand) instead of the dev
# server: what people get, and a page loads as a few files instead of hundreds of modules
# (make test's suites use it; make dev keeps the dev server and its hot reload).
if [ "${WEB_SERVER:-dev}" = preview ]; then
  [ -f web/dist/index.html ] || { echo "WEB_SERVER=preview needs web/dist: run vite build first" >&2; down; exit 1; }
  echo "== Starting the web app (the production build, vite preview on :$WEB_PORT)"
  (cd web && exec setsid npx vite preview --port "$WEB_PORT" --strictPort --host 127.0.0.1) >"$dir/web.log" 2>&1 &
else
  echo "== Starting the web app (Vite on :$WEB_PORT)"
  (cd web && exec setsid npx vite --port "$WEB_PORT" --strictPort --host 127.0.0.1) >"$dir/web.log" 2>&1 &
fi
echo $! >>"$dir/pids"
wait_for_port "$WEB_PORT" "vite" "$dir/web.log" 60
