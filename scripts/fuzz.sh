#!/usr/bin/env bash
# `make fuzz`: libFuzzer (cargo-fuzz, nightly Rust) on the parsers that read outside input —
# pagination cursors, magic-link tokens and email addresses, Harvest invoice pages — for
# FUZZ_SECONDS each (default 60). Not part of `make test`. A crash is written to
# fuzz/artifacts/<target>/; turn it into a regression test in `shared` before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if [ ! -x .tools/bin/cargo-fuzz ]; then
  cargo install --locked --quiet --root .tools cargo-fuzz@0.13.1
fi
export PATH=$PWD/.tools/bin:$PATH
# Harvest's documented payloads seed the corpus, so the fuzzer starts from valid pages.
mkdir -p fuzz/corpus/harvest_invoices
cp testdata/harvest/*.json fuzz/corpus/harvest_invoices/
for target in cursor token harvest_invoices; do
  echo "== fuzzing $target for ${seconds}s"
  cargo +nightly fuzz run --fuzz-dir fuzz "$target" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 |
    grep -E '^(#|stat::|INFO: Running|==|SUMMARY|Done)' | grep -Ev 'pulse|NEW |REDUCE ' | tail -n 8
done
echo "No crashes."
