#!/usr/bin/env bash
# `make test`: format, lint, every test, template lint. Prints the test counts at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings denied; unwrap/expect/panic denied outside tests)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (integration tests start their own moto server)"
cargo test --workspace --locked 2>&1 | tee "$log"

step "sam validate --lint"
sam validate --lint --template template.yaml

passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
printf '\n== Summary: %d Rust tests passed, %d failed; template valid; %ds wall time\n' \
  "$passed" "$failed" "$((SECONDS - started))"
