#!/usr/bin/env bash
# Signs EMAIL in through a running stack (login → dev mailbox → verify) and prints the
# `portal_session=…` cookie pair.   scripts/session-cookie.sh STACK_DIR EMAIL
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?stack dir}
email=${2:?email}
set -a
# shellcheck disable=SC1091
source "$dir/env"
set +a
base="http://127.0.0.1:$WEB_PORT"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/auth/login" \
  -H 'content-type: application/json' -d "{\"email\":\"$email\"}")
[ "$status" = 202 ] || { echo "login answered $status" >&2; exit 1; }
token=$(target/debug/portal mailbox --to "$email" --token)
curl -s -D - -o /dev/null -X POST "$base/api/auth/verify" -H 'content-type: application/json' \
  -d "{\"token\":\"$token\"}" | sed -n 's/^[Ss]et-[Cc]ookie: \(portal_session=[^;]*\).*/\1/p'
