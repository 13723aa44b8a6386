#!/usr/bin/env bash
# `make bench`: release build of the benchmark binary, a moto server of its own, the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${BENCH_MOTO_PORT:-4599}
MOTO_DISABLE_GLOBAL_CORS=1 setsid moto_server -H 127.0.0.1 -p "$port" >/tmp/portal-bench-moto.log 2>&1 &
moto=$!
trap 'kill -- -$moto 2>/dev/null || kill $moto 2>/dev/null || true' EXIT
cargo build --release --quiet -p bench
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.2; done
export BENCH_MOTO_ENDPOINT=http://127.0.0.1:$port
echo "== machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
target/release/portal-bench invoices
