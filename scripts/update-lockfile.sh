#!/usr/bin/env bash
# Regenerates templates/project/pnpm-lock.yaml, the lockfile every generated project ships.
#
# Run it after changing a dependency in templates/project/apps/web/package.json (or the
# pinned pnpm version). It generates a project with the CLI, lets pnpm resolve it, and
# copies the lockfile back. Dependencies do not depend on the chosen providers or flags,
# so one lockfile fits every generated project (the generated root package.json has none).
#
# Needs: Go, and pnpm at exactly the version pinned in "packageManager" (pnpm refuses to
# install with another one). Reaches the npm registry.
#
# Usage: scripts/update-lockfile.sh            write the new lockfile
#        scripts/update-lockfile.sh --check    fail if the committed one is out of date
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo/templates/project/pnpm-lock.yaml"
check=false
[[ "${1:-}" == "--check" ]] && check=true

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$repo"
go run ./cmd/nextmsa init "$tmp/p" --yes --no-git >/dev/null

# pnpm must run inside the generated root: in a directory without package.json pnpm 12
# silently creates one (and a lockfile) there.
cd "$tmp/p"
want=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' package.json)
have=$(pnpm --version)
if [[ "$want" != "$have" ]]; then
  echo "update-lockfile: pnpm $have is installed but the project pins pnpm $want (npm i -g pnpm@$want)" >&2
  exit 1
fi

# Start from nothing so every dependency is resolved afresh (within the ranges of
# package.json; the exact pins stay exact).
rm -f pnpm-lock.yaml
pnpm install --lockfile-only --config.confirm-modules-purge=false >"$tmp/pnpm.log" 2>&1 || {
  cat "$tmp/pnpm.log" >&2
  exit 1
}

if $check; then
  if cmp -s pnpm-lock.yaml "$dest"; then
    echo "update-lockfile: $dest is up to date"
  else
    diff -u "$dest" pnpm-lock.yaml | head -50 >&2 || true
    echo "update-lockfile: $dest is out of date; run scripts/update-lockfile.sh" >&2
    exit 1
  fi
else
  cp pnpm-lock.yaml "$dest"
  echo "update-lockfile: wrote $dest"
fi
