#!/usr/bin/env bash
# `make deploy`: the functions and infrastructure with SAM (guided the first time; the answers
# land in samconfig.toml), then the web app: web/dist to the stack's bucket and a CloudFront
# invalidation. Needs AWS credentials in the environment (or a profile via AWS_PROFILE).
set -euo pipefail
cd "$(dirname "$0")/.."
sam build
if [ -f samconfig.toml ]; then
  sam deploy
else
  sam deploy --guided
fi
stack=${STACK_NAME:-$(sed -n 's/^stack_name *= *"\(.*\)"/\1/p' samconfig.toml | head -n 1)}
[ -n "$stack" ] || { echo "No stack name: set STACK_NAME or run \`sam deploy --guided\`." >&2; exit 1; }
.venv/bin/python tools/publish_web.py "$stack" --dist web/dist
