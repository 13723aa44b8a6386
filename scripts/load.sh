#!/usr/bin/env bash
# `make load`: concurrent sign-ins, reads and message posts against the running `make dev`
# stack; fails on any 5xx or any lost message.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p bench
scripts/with-dev-env.sh bash -c \
  'BENCH_MOTO_ENDPOINT=$AWS_ENDPOINT_URL exec target/release/portal-bench load --base "http://localhost:$WEB_PORT" "$@"' \
  load "$@"
