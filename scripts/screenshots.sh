#!/usr/bin/env bash
# Copies the README's screenshots from the last end-to-end run (web/e2e/screenshots/<project>/)
# into docs/screenshots/ as <project>-<name>.png. Run `make e2e` first.
set -euo pipefail
cd "$(dirname "$0")/.."
shots=(
  desktop/client-dashboard desktop/client-project desktop/client-deliverable-preview desktop/client-invoices
  desktop/admin-project desktop/admin-project-milestones desktop/admin-branding
  mobile/client-dashboard mobile/client-invoices
  dark/client-dashboard dark/client-project
  german/de-client-dashboard
)
mkdir -p docs/screenshots
for shot in "${shots[@]}"; do
  from="web/e2e/screenshots/$shot.png"
  [[ -f $from ]] || { echo "missing $from: run make e2e first" >&2; exit 1; }
  cp "$from" "docs/screenshots/${shot/\//-}.png"
done
echo "copied ${#shots[@]} screenshots into docs/screenshots/"
