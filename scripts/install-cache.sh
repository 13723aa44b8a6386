#!/usr/bin/env bash
# Installs a Python virtualenv or the web app's node_modules once per machine, keyed by what
# decides their content, and puts it in the clone: a fresh clone then starts in seconds instead
# of minutes of pip and npm (pip's and npm's own caches save the downloads, not the unpacking
# and compiling).
#
#   scripts/install-cache.sh venv NAME REQUIREMENTS LINK   .venv → <cache>/venv-NAME-<key> (a symlink:
#                                                          a virtualenv names its own path, so it is
#                                                          built where it stays)
#   scripts/install-cache.sh npm DIR                       DIR/node_modules, hard links to
#                                                          <cache>/npm-<key>/node_modules (Vite
#                                                          serves only files inside the project, so
#                                                          not a symlink)
#
# The key is a hash of the lockfile or requirements, the interpreter's or Node's version and the
# machine's architecture. The cache is ${XDG_CACHE_HOME:-~/.cache}/client-portal (beside the
# pinned cargo-deny); entries unused for 14 days are removed when a new one is built.
# INSTALL_CACHE=off installs into the clone as before.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${XDG_CACHE_HOME:-$HOME/.cache}/client-portal
mode=${1:?usage: install-cache.sh venv NAME REQUIREMENTS LINK | npm DIR}

key_of() { # files…, then a version string: 16 hex digits
  { cat "$@"; uname -m; } | sha256sum | cut -c1-16
}

# Builds ENTRY with the command once (under a lock, so two clones never build it at once), unless
# a finished one is there. An interrupted build lacks .complete and is built again.
build_once() { # ENTRY command…
  local entry=$1
  shift
  mkdir -p "$cache"
  (
    flock 9
    if [ ! -f "$entry/.complete" ]; then
      rm -rf "$entry"
      "$@"
      touch "$entry/.complete"
      # Other entries of this kind not used for two weeks.
      find "$cache" -maxdepth 1 -name "$(basename "${entry%-*}")-*" ! -name "$(basename "$entry")" \
        ! -name '*.lock' -mtime +14 -exec rm -rf {} + 2>/dev/null || true
    fi
    touch "$entry/.complete" # when it was last used, for the clean-up above
  ) 9>"$entry.lock"
}

make_venv() { # DIR REQUIREMENTS
  python3 -m venv "$1"
  "$1/bin/pip" install --quiet --disable-pip-version-check -r "$2"
}
npm_ci() { # DIR
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
}

case "$mode" in
venv)
  name=${2:?NAME} requirements=${3:?REQUIREMENTS} link=${4:?LINK}
  if [ "${INSTALL_CACHE:-on}" = off ]; then
    rm -rf "$link"
    make_venv "$link" "$requirements"
    exit 0
  fi
  version=$(python3 -c 'import sys; print(sys.version)')
  entry="$cache/venv-$name-$(key_of "$requirements" <(echo "$version"))"
  build_once "$entry" make_venv "$entry" "$requirements"
  # A directory left by an install into the clone (or an older layout) gives way to the link.
  [ -L "$link" ] || rm -rf "$link"
  ln -sfn "$entry" "$link"
  ;;
npm)
  dir=${2:?DIR}
  if [ "${INSTALL_CACHE:-on}" = off ]; then
    npm_ci "$dir"
    exit 0
  fi
  entry="$cache/npm-$(key_of "$dir/package.json" "$dir/package-lock.json" <(node --version))"
  make_node_modules() {
    mkdir -p "$entry"
    cp "$dir/package.json" "$dir/package-lock.json" "$entry/"
    npm_ci "$entry"
  }
  build_once "$entry" make_node_modules
  rm -rf "$dir/node_modules"
  cp -al "$entry/node_modules" "$dir/node_modules"
  ;;
*)
  echo "usage: install-cache.sh venv NAME REQUIREMENTS LINK | npm DIR" >&2
  exit 2
  ;;
esac
