#!/usr/bin/env bash
# `make bench`: the figures in the README's "Measured" table. Release builds of every function
# (and of a bare lambda_http hello-world, the cold-start baseline), a moto server of its own,
# then: cold start, warm latency and scale, Harvest calls. Ratios are taken side by side in one
# run because this machine is shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${BENCH_MOTO_PORT:-4599}
# Every function of template.yaml (functions/*), built as `make build` builds them.
mapfile -t functions < <(ls functions)

echo "== building (release): ${functions[*]} hello, and the benchmark"
packages=()
for f in "${functions[@]}" hello; do packages+=(-p "$f"); done
cargo lambda build --release --quiet "${packages[@]}"
cargo lambda build --release --quiet --output-format zip --lambda-dir target/lambda-zip "${packages[@]}"
cargo build --release --quiet -p bench

MOTO_DISABLE_GLOBAL_CORS=1 setsid python tools/moto_server.py -H 127.0.0.1 -p "$port" >/tmp/portal-bench-moto.log 2>&1 &
moto=$!
trap 'kill -- -$moto 2>/dev/null || kill $moto 2>/dev/null || true' EXIT
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.2; done
export BENCH_MOTO_ENDPOINT=http://127.0.0.1:$port

echo "== machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
target/release/portal-bench cold --lambda-dir target/lambda --runs "${BENCH_COLD_RUNS:-10}"
echo
target/release/portal-bench scale --big "${BENCH_SCALE:-10000}" --samples "${BENCH_SAMPLES:-200}"
echo
target/release/portal-bench invoices
echo
target/release/portal-bench uploads --mib "${BENCH_UPLOAD_MIB:-256}"
