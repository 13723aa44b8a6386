#!/usr/bin/env bash
# `make test`: installs what is missing, then format, lint, every test, the template checks. Ends
# with the counts and a table of every step's time.
#
# Two cores, so the order is chosen for them (docs/testing.md says more):
#   1. installs (network) beside the workspace build (and cargo-deny's one-time build, at low
#      priority);
#   2. the Rust tests (several moto processes) beside the web and template checks and two stacks
#      starting (clippy lints during the build);
#   3. Lighthouse alone (its scores measure a quiet machine);
#   4. the end-to-end suite on one stack beside the API contract runs (a client's and an
#      agency owner's, each on a stack of its own), then the passkey stack's suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" SAM_CLI_TELEMETRY=0 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
run=target/test-run # each step's log, its exit code and its times
rm -rf "$run"
mkdir -p "$run"
origin=$(date +%s)
now() { echo $(($(date +%s) - origin)); }
say() { printf '\n== %s  [%dm%02ds in]\n' "$*" $(($(now) / 60)) $(($(now) % 60)); }

# The stacks' ports: their own, so `make dev` can stay up.
export MOTO_PORT=${TEST_MOTO_PORT:-4577} LAMBDA_PORT=${TEST_LAMBDA_PORT:-9077} WEB_PORT=${TEST_WEB_PORT:-5177} \
  HARVEST_PORT=${TEST_HARVEST_PORT:-4587}
e2e_stack=target/e2e-stack
contract_stack=target/contract-stack
agency_stack=target/contract-agency-stack
passkey_stack=target/staff-passkey-stack
all_stacks=("$e2e_stack" "$contract_stack" "$agency_stack" "$passkey_stack")
contract_ports=(MOTO_PORT=$((MOTO_PORT + 1)) LAMBDA_PORT=$((LAMBDA_PORT + 1)) WEB_PORT=$((WEB_PORT + 1)) HARVEST_PORT=$((HARVEST_PORT + 1)))
passkey_ports=(MOTO_PORT=$((MOTO_PORT + 2)) LAMBDA_PORT=$((LAMBDA_PORT + 2)) WEB_PORT=$((WEB_PORT + 2)) HARVEST_PORT=$((HARVEST_PORT + 2)))
agency_ports=(MOTO_PORT=$((MOTO_PORT + 3)) LAMBDA_PORT=$((LAMBDA_PORT + 3)) WEB_PORT=$((WEB_PORT + 3)) HARVEST_PORT=$((HARVEST_PORT + 3)))

# Background steps: `start NAME command…` runs it with its output in $run/NAME.log; `finish
# NAME…` waits for each, prints its log, and stops the run (after the log) if it failed.
declare -A pids
start() {
  local name=$1
  shift
  (
    begin=$(now)
    set +e
    "$@" >"$run/$name.log" 2>&1
    rc=$?
    printf '%s\t%s\t%s\t%s\n' "$name" "$begin" "$(now)" "$rc" >>"$run/times.tsv"
    exit "$rc"
  ) &
  pids[$name]=$!
}
finish() {
  local name rc
  for name in "$@"; do
    rc=0
    wait "${pids[$name]}" || rc=$?
    say "$name ($(awk -F'\t' -v n="$name" '$1 == n {print $3 - $2 " s"}' "$run/times.tsv"))"
    cat "$run/$name.log"
    if [ "$rc" != 0 ]; then
      echo "== $name failed (exit $rc); its log is above and in $run/$name.log" >&2
      for dir in "${all_stacks[@]}"; do
        [ -f "$dir/lambda.log" ] || continue
        echo "== the functions' log, last 40 lines but the drain's metrics ($dir/lambda.log)"
        grep -v OutboxAgeSeconds "$dir/lambda.log" | tail -n 40
      done
      exit 1
    fi
  done
}
# A foreground step, timed the same way.
step() {
  local name=$1
  shift
  start "$name" "$@"
  finish "$name"
}
kill_tree() { # a background step and everything it started
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
signal_stack() { # SIGNAL DIR: to each of the stack's components (process groups)
  local pid
  [ -f "$2/pids" ] || return 0
  while read -r pid; do kill -"$1" -- "-$pid" 2>/dev/null || true; done <"$2/pids"
}
stop_everything() {
  for pid in "${pids[@]}"; do kill_tree "$pid"; done
  for dir in "$contract_stack" "$agency_stack"; do signal_stack CONT "$dir"; done # paused for Lighthouse
  for dir in "${all_stacks[@]}"; do scripts/stack.sh down "$dir" 2>/dev/null || true; done
}
trap stop_everything EXIT
# Stacks of an earlier run (stopped by its own trap) leave logs a failure here would print.
for dir in "${all_stacks[@]}"; do
  scripts/stack.sh down "$dir" 2>/dev/null || true
  rm -rf "$dir"
done

# Incremental state would add 1-2 GB that a one-off run never reads again (not in make dev).
export CARGO_INCREMENTAL=0
echo "Disk free where the build goes: $(df -h --output=avail . | tail -n 1 | tr -d ' '); $(nproc) cores"

# 1. Installs and the build.
start install-python make --no-print-directory tools
start install-web make --no-print-directory web-deps
start install-checkov make --no-print-directory checkov
start install-chromium make --no-print-directory chromium
# Built once per machine (Makefile), at low priority: it takes what the build leaves.
start install-cargo-deny make --no-print-directory cargo-deny

step fmt cargo fmt --all -- --check
# Clippy lints while the build compiles: clippy-driver is rustc plus clippy's lint passes, so as
# cargo's workspace wrapper it builds every workspace crate (deps stay plain rustc) and fails on a
# lint, as `cargo clippy --workspace --all-targets -- -D warnings` does (CLIPPY_ARGS is how
# cargo-clippy hands it the flags). A separate clippy run checked every dependency again: 273 s;
# this adds about 7 s. Exported for every later cargo command of the run (the stacks' `cargo run`)
# so all see the same compiler.
export RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# The tests and the functions' binaries from one resolution of features (devkit/Cargo.toml says
# how), so the second command only compiles and links the binaries. The test binaries are run
# directly below, not through `cargo test`, which would hold the build directory's lock for the
# whole run and so keep `cargo lambda watch` (`cargo run --bin …`) from starting the stacks.
step build bash -c "cargo test --workspace --locked --no-run --message-format=json-render-diagnostics >$run/build.json &&
  cargo build --workspace --bins --locked"
# Each test binary (with its package's directory, where cargo runs it), in build order.
python3 -c '
import json, os, sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(os.path.dirname(m["manifest_path"]) + "\t" + m["executable"])
' "$run/build.json" >"$run/test-binaries.tsv"
test_binaries() { # runs every test binary with these arguments, as `cargo test` would
  local dir exe
  while IFS=$'\t' read -r dir exe; do
    echo "     Running $exe"
    (cd "$dir" && "$exe" "$@") || return 1
  done <"$run/test-binaries.tsv"
}

# 2. Rust tests, the stacks, web and template checks.
finish install-python install-web
# The IAM coverage check below reads what the suite recorded (shared/tests/api/helpers/recorder.rs).
export AWS_CALLS_FILE="$PWD/target/aws-calls.jsonl"
rm -f "$AWS_CALLS_FILE"
# Three moto processes, six tests at a time: the suite waits on the emulator, not the CPU.
export MOTO_PROCESSES=3
start rust-tests test_binaries --test-threads 6
unset AWS_CALLS_FILE
start web-checks bash -c 'cd web && npx tsc --noEmit && npx eslint . && npx vitest run && npx vite build --logLevel warn'
finish install-checkov
start template-checks bash -c '
  echo "-- sam validate --lint"; sam validate --lint --template template.yaml
  echo "-- checkov: the template'\''s security checks (each skip is written beside its resource, with the reason)"
  .venv-checkov/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download 2>&1 | tail -n 4
  echo "-- tooling: publish_web.py against moto (in process), the mailbox page, the contract hooks, the cost model"
  python -m unittest discover -s tools -p "test_*.py" 2>&1 | tail -n 3'
stack_up() { # DIR, then VAR=value… for its environment
  local dir=$1
  shift
  rm -rf "$dir"
  env "$@" LAMBDA_WATCH_FLAGS=--ignore-changes DRAIN_EVERY=3 WEB_SERVER=preview scripts/stack.sh up "$dir"
}
# The stacks serve the production build that the web checks made (web/dist).
finish web-checks
start e2e-stack stack_up "$e2e_stack"
start contract-stack stack_up "$contract_stack" "${contract_ports[@]}"
start agency-stack stack_up "$agency_stack" "${agency_ports[@]}"

finish rust-tests
iam_check() {
  echo "IAM coverage: every recorded AWS call allowed by its function's policy in template.yaml (report: target/iam-coverage.md)"
  AWS_CALLS_FILE="$PWD/target/aws-calls.jsonl" test_binaries --ignored --exact iam::every_aws_call_is_allowed_by_its_functions_policy |
    grep -E '^test |test result: ok. 1 passed|DENIED|panicked|calls the deployed' >"$run/iam.out" || true
  cat "$run/iam.out"
  grep -q 'test result: ok. 1 passed' "$run/iam.out"
}
step iam iam_check
finish template-checks install-chromium install-cargo-deny e2e-stack contract-stack agency-stack

# One client and one agency session on each stack, for Lighthouse and the contract run.
cookie() { scripts/session-cookie.sh "$1" "$2" || true; }
e2e_client=$(cookie "$e2e_stack" alice@northwind.example)
e2e_admin=$(cookie "$e2e_stack" admin@agency.example)
client_cookie=$(cookie "$contract_stack" alice@northwind.example)
admin_cookie=$(cookie "$agency_stack" admin@agency.example)
for pair in "$e2e_client" "$e2e_admin" "$client_cookie" "$admin_cookie"; do
  [ -n "$pair" ] || { echo "could not sign in to a test stack" >&2; exit 1; }
done

# 3. Lighthouse, alone: on the demo data, before the end-to-end suite adds its own, so the
# figures compare with `make lighthouse` beside `make dev`. One run per page; a page under the
# bar is measured three times and the median counts (web/e2e/lighthouse.mjs).
# The contract stacks are paused meanwhile (SIGSTOP to each component's process group): their
# drains, every 3 s, were the only other work on the machine.
signal_stack STOP "$contract_stack"
signal_stack STOP "$agency_stack"
step lighthouse env CLIENT_COOKIE="$e2e_client" ADMIN_COOKIE="$e2e_admin" PREVIEW_PORT=${TEST_PREVIEW_PORT:-4178} \
  LIGHTHOUSE_RUNS=1 WEB_BUILT=1 scripts/lighthouse.sh "$e2e_stack"
signal_stack CONT "$contract_stack"
signal_stack CONT "$agency_stack"

# 4. The end-to-end suite beside the two API contract runs, each on a stack of its own: each
# is a chain of requests one after another, so side by side they keep both cores busy. (Two
# schemathesis workers in one run were tried: no faster, and fewer cases generated.) No
# screenshots here: they are the README's (`make e2e`, `make screenshots`) and assert nothing.
start e2e bash -c "cd web && E2E_SCREENSHOTS=0 E2E_STACK_DIR=$e2e_stack npx playwright test"
# The hooks close every response schema (an undeclared property fails the run) and put ids that
# exist into two cases in three, read as this session sees them (tools/schemathesis_hooks.py).
contract() { # SESSION client|agency STACK_PORT_OFFSET [schemathesis flags…]
  local session=$1 who=$2 base
  base="http://127.0.0.1:$((WEB_PORT + $3))"
  shift 3
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $session" "$base/api/me")" = 200 ] ||
    { echo "the $who contract session does not answer /api/me with 200" >&2; return 1; }
  CONTRACT_STATS="$run/reached-$who" CONTRACT_URL="$base" CONTRACT_COOKIE="$session" \
    PYTHONPATH=tools SCHEMATHESIS_HOOKS=schemathesis_hooks schemathesis run openapi.yaml --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/auth/logout --phases examples,coverage,fuzzing --max-examples 25 --seed 1 \
    --no-color -H "Cookie: $session" "$@" || return 1
  # Which operations this session should reach never answered 2xx (their success path untested).
  local theirs='no 2xx: [A-Z]* /api/admin/'
  [ "$who" = agency ] && theirs='no 2xx: [A-Z]* /api/[^a]'
  python tools/schemathesis_hooks.py "$run/reached-$who" | grep -v "$theirs" | tail -n 25 || true
}
# As a client contact every route (admin ones must answer 403 as documented); beside it, as an
# agency owner the admin routes, on a stack of its own so that neither run changes what the
# other reads. (Splitting the client's run in two as well, and a third browser, were tried:
# with six chains on two cores every one of them slowed down, and the phase took longer.)
start contract contract "$client_cookie" client 1
start contract-agency contract "$admin_cookie" agency 3 --include-path-regex '^/api/admin/'
finish e2e
# The passkey stack (staff need a passkey after the link) once the end-to-end suite is done,
# beside what is left of the contract runs.
scripts/stack.sh down "$e2e_stack"
passkey_suite() {
  stack_up "$passkey_stack" "${passkey_ports[@]}" STAFF_REQUIRE_PASSKEY=true &&
    (cd web && E2E_STACK_DIR="$passkey_stack" npx playwright test -c playwright.staff-passkey.config.ts)
}
start passkey-e2e passkey_suite
finish contract contract-agency passkey-e2e

deny_check() {
  local deny
  deny=$(make --no-print-directory -s cargo-deny-path)
  echo "cargo deny: licences (permissive only), bans, sources (crates.io only)"
  "$deny" --log-level error check bans licenses sources || return 1
  echo "Licences in the dependency graph (crates per licence):"
  "$deny" list -l license 2>/dev/null | sed -E 's/^([^:]+):.*/  \1/' | paste -sd ' ' -
}
step cargo-deny deny_check

# The summary only reads the logs: tools colour their output when CI is set (picocolors checks
# `CI`), so escape codes are stripped first, and a line it cannot find prints "?" instead of failing.
plain() { sed -E 's/\x1b\[[0-9;]*m//g' "$@" 2>/dev/null || true; }
passed=$(plain "$run/rust-tests.log" | grep -Eo 'test result: ok\. [0-9]+ passed' | awk '{s+=$4} END {print s+0}' || true)
failed=$(plain "$run/rust-tests.log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}' || true)
contract=$(plain "$run/contract.log" "$run/contract-agency.log" | grep -Eo '[0-9]+ generated, [0-9]+ passed' | awk '{g+=$1; p+=$3} END {printf "%d generated, %d passed", g, p}' || true)
e2e=$(plain "$run/e2e.log" "$run/passkey-e2e.log" | grep -Eo '^ *[0-9]+ passed' | awk '{s+=$1} END {print s " passed"}' || true)
web=$(plain "$run/web-checks.log" | grep -Eo 'Tests +[0-9]+ passed' | grep -Eo '[0-9]+' | tail -n 1 || true)
lighthouse=$(plain "$run/lighthouse.log" | grep -Eo 'all [0-9]+ pages \([^)]*\) at or above the bar' | head -n 1 || true)
total=$(now)
printf '\n== Steps (seconds from the start of make test; several run at once)\n'
printf '  %-20s %6s %6s %6s\n' step start end took
sort -t$'\t' -k2,2n "$run/times.tsv" | awk -F'\t' '{printf "  %-20s %6d %6d %6d%s\n", $1, $2, $3, $3 - $2, ($4 == 0 ? "" : "  exit " $4)}'
printf '\n== Summary: %d Rust tests passed, %d failed; web unit tests: %s passed; end-to-end: %s; Lighthouse: %s; API contract: %s; template valid; %ds wall time\n' \
  "$passed" "$failed" "${web:-?}" "${e2e:-?}" "${lighthouse:-?}" "${contract:-?}" "$total"
