#!/usr/bin/env bash
# Runs a command with the local development environment (.dev/env, written by `make dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .dev/env ]; then
  echo "No .dev/env yet: start the stack with \`make dev\` first." >&2
  exit 1
fi
set -a
# shellcheck disable=SC1091
source .dev/env
set +a
exec "$@"
