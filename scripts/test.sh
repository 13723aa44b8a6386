#!/usr/bin/env bash
# `make test`: format, lint, every test, template lint. Prints the test counts at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
log=$(mktemp)
# The contract test runs its own stack on ports of its own, so `make dev` can stay up.
stack=target/contract-stack
export MOTO_PORT=${TEST_MOTO_PORT:-4577} LAMBDA_PORT=${TEST_LAMBDA_PORT:-9077} WEB_PORT=${TEST_WEB_PORT:-5177} \
  HARVEST_PORT=${TEST_HARVEST_PORT:-4587}
trap 'scripts/stack.sh down "$stack"; rm -f "$log" "$log.e2e" "$log.schemathesis" "$log.lighthouse" "$log.iam" "$log.reached"' EXIT

step() { printf '\n== %s  [%dm%02ds in]\n' "$*" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }

# A cold run builds the workspace twice (tests; the stack's binaries) in about 5 GB. Incremental
# state would add 1-2 GB that a one-off run never reads again, so it is off here (not in make dev).
export CARGO_INCREMENTAL=0
echo "Disk free where the build goes: $(df -h --output=avail . | tail -n 1 | tr -d ' ')"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings denied; unwrap/expect/panic denied outside tests)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo deny: licences (permissive only), bans, sources (crates.io only)"
.tools/bin/cargo-deny --log-level error check bans licenses sources
echo "Licences in the dependency graph (crates per licence):"
.tools/bin/cargo-deny list -l license 2>/dev/null | sed -E 's/^([^:]+):.*/  \1/' | paste -sd ' ' -

step "cargo test (integration tests start their own moto server; every AWS call a function makes is recorded)"
# The IAM coverage check below reads what the suite recorded (shared/tests/api/helpers/recorder.rs).
export AWS_CALLS_FILE="$PWD/target/aws-calls.jsonl"
rm -f "$AWS_CALLS_FILE"
cargo test --workspace --locked 2>&1 | tee "$log"

step "IAM coverage: every recorded AWS call allowed by its function's policy in template.yaml (report: target/iam-coverage.md)"
# --workspace, as the suite ran: the same features, so the test binary is not built again.
cargo test --workspace --test api --locked -- --ignored --exact iam::every_aws_call_is_allowed_by_its_functions_policy 2>&1 |
  grep -E '^test |test result|DENIED|panicked|calls the deployed' | tee -a "$log.iam"
grep -q 'test result: ok. 1 passed' "$log.iam" || { echo "IAM coverage failed (see above)" >&2; exit 1; }
unset AWS_CALLS_FILE

step "sam validate --lint"
sam validate --lint --template template.yaml

step "checkov: the template's security checks (each skip is written beside its resource, with the reason)"
.venv-checkov/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download 2>&1 | tail -n 4

step "tooling: publish_web.py against moto (in process), the mailbox page, the contract step's hooks, the cost model"
python -m unittest discover -s tools -p 'test_*.py' 2>&1 | tail -n 3

step "web: typecheck, lint, unit tests"
(cd web && npx tsc --noEmit && npx eslint . && npx vitest run) 2>&1 | tee -a "$log"

step "Starting a stack of its own (as make dev does) for the browser and API contract tests"
rm -rf "$stack"
LAMBDA_WATCH_FLAGS="--ignore-changes" scripts/stack.sh up "$stack" >"$stack.log" 2>&1 || { cat "$stack.log"; exit 1; }

# One client and one agency session for the Lighthouse and contract runs below.
cookie=$(scripts/session-cookie.sh "$stack" alice@northwind.example)
[ -n "$cookie" ] || { echo "could not sign in to the contract stack" >&2; exit 1; }
admin_cookie=$(scripts/session-cookie.sh "$stack" admin@agency.example)
[ -n "$admin_cookie" ] || { echo "could not sign the admin in to the contract stack" >&2; exit 1; }

step "web: Lighthouse 12.2.3 on the production build (5 pages × desktop, mobile; median of 3 runs; perf ≥ 95, a11y 100, best practices ≥ 95)"
# On the demo data, before the end-to-end suite adds its own, so the figures compare with
# `make lighthouse` beside `make dev`. A page under the bar fails the run, naming the audits
# that cost it points (web/e2e/lighthouse.mjs).
CLIENT_COOKIE="$cookie" ADMIN_COOKIE="$admin_cookie" PREVIEW_PORT=${TEST_PREVIEW_PORT:-4178} LIGHTHOUSE_RUNS=3 scripts/lighthouse.sh "$stack" 2>&1 |
  tee "$log.lighthouse"

step "web: end-to-end in headless Chromium (Playwright + axe-core; screenshots in web/e2e/screenshots)"
(cd web && E2E_STACK_DIR="$stack" npx playwright test) 2>&1 | tee -a "$log.e2e" || {
  echo "== the functions' log, last 60 lines ($stack/lambda.log)"
  tail -n 60 "$stack/lambda.log"
  exit 1
}

step "API contract: schemathesis against the running functions (openapi.yaml)"
# The sessions from before the end-to-end suite must still be good, or every route would
# answer 401 and the contract would prove nothing.
for pair in "$cookie" "$admin_cookie"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $pair" "http://127.0.0.1:$WEB_PORT/api/me")" = 200 ] ||
    { echo "a contract session no longer answers /api/me with 200" >&2; exit 1; }
done
# As a client contact: every route (admin ones must answer 403 as documented)…
# The hooks close every response schema (an undeclared property fails the run) and put ids that
# exist into two cases in three, read as this session sees them (tools/schemathesis_hooks.py).
contract() {
  local session=$1 who=$2
  shift 2
  rm -f "$log.reached"
  CONTRACT_STATS="$log.reached" CONTRACT_URL="http://127.0.0.1:$WEB_PORT" CONTRACT_COOKIE="$session" \
    PYTHONPATH=tools SCHEMATHESIS_HOOKS=schemathesis_hooks schemathesis run openapi.yaml \
    --url "http://127.0.0.1:$WEB_PORT" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/auth/logout --phases examples,coverage,fuzzing --max-examples 25 --seed 1 \
    --no-color -H "Cookie: $session" "$@" 2>&1 | tee -a "$log.schemathesis" || {
    echo "== the functions' log, last 60 lines ($stack/lambda.log)"
    tail -n 60 "$stack/lambda.log"
    return 1
  }
  # Which operations this session should reach never answered 2xx (their success path untested).
  local theirs='no 2xx: [A-Z]* /api/admin/'
  [ "$who" = agency ] && theirs='no 2xx: [A-Z]* /api/[^a]'
  .venv/bin/python tools/schemathesis_hooks.py "$log.reached" | grep -v "$theirs" | tail -n 25 || true
}
contract "$cookie" client
# …and as an agency admin, the admin routes.
contract "$admin_cookie" agency --include-path-regex '^/api/admin/'

step "web: end-to-end with STAFF_REQUIRE_PASSKEY=true (a stack of its own: staff need a passkey after the link)"
scripts/stack.sh down "$stack"
stack=target/staff-passkey-stack
rm -rf "$stack"
STAFF_REQUIRE_PASSKEY=true LAMBDA_WATCH_FLAGS="--ignore-changes" scripts/stack.sh up "$stack" >"$stack.log" 2>&1 || { cat "$stack.log"; exit 1; }
(cd web && E2E_STACK_DIR="$stack" npx playwright test -c playwright.staff-passkey.config.ts) 2>&1 | tee -a "$log.e2e" || {
  echo "== the functions' log, last 60 lines ($stack/lambda.log)"
  tail -n 60 "$stack/lambda.log"
  exit 1
}

# The summary only reads the logs: tools colour their output when CI is set (picocolors checks
# `CI`), so escape codes are stripped first, and a line it cannot find prints "?" instead of failing.
plain() { sed -E 's/\x1b\[[0-9;]*m//g' "$@" 2>/dev/null || true; }
passed=$(plain "$log" | grep -Eo 'test result: ok\. [0-9]+ passed' | awk '{s+=$4} END {print s+0}' || true)
failed=$(plain "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}' || true)
contract=$(plain "$log.schemathesis" | grep -Eo '[0-9]+ generated, [0-9]+ passed' | awk '{g+=$1; p+=$3} END {printf "%d generated, %d passed", g, p}' || true)
e2e=$(plain "$log.e2e" | grep -Eo '^ *[0-9]+ passed' | awk '{s+=$1} END {print s " passed"}' || true)
web=$(plain "$log" | grep -Eo 'Tests +[0-9]+ passed' | grep -Eo '[0-9]+' | tail -n 1 || true)
lighthouse=$(plain "$log.lighthouse" | grep -Eo 'all [0-9]+ pages \(median of [0-9]+ runs\) at or above the bar|[0-9]+ page\(s\) under the bar' | head -n 1 || true)
rm -f "$log.schemathesis" "$log.e2e"
printf '\n== Summary: %d Rust tests passed, %d failed; web unit tests: %s passed; end-to-end: %s; Lighthouse: %s; API contract: %s; template valid; %ds wall time\n' \
  "$passed" "$failed" "${web:-?}" "${e2e:-?}" "${lighthouse:-?}" "${contract:-?}" "$((SECONDS - started))"
