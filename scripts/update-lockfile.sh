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
# Usage: scripts/update-lockfile.sh           update the lockfile for package.json changes,
#                                             keeping every other resolved version
#        scripts/update-lockfile.sh --fresh   resolve everything again (newest versions
#                                             the ranges allow, transitive ones included)
#        scripts/update-lockfile.sh --check   fail if the committed lockfile does not
#                                             match package.json (changes nothing)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo/templates/project/pnpm-lock.yaml"
mode=${1:-update}
case "$mode" in
  update | --fresh | --check) ;;
  *) echo "usage: $0 [--fresh|--check]" >&2; exit 2 ;;
esac

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

# The generated project carries the committed lockfile (if any); --fresh drops it.
[[ "$mode" == "--fresh" ]] && rm -f pnpm-lock.yaml

# --lockfile-only: resolve and write pnpm-lock.yaml, download no packages.
# The frozen flags are explicit because CI=true makes pnpm default to frozen.
if [[ "$mode" == "--check" ]]; then
  if ! pnpm install --lockfile-only --frozen-lockfile >"$tmp/pnpm.log" 2>&1; then
    cat "$tmp/pnpm.log" >&2
    echo "update-lockfile: $dest is out of date; run scripts/update-lockfile.sh" >&2
    exit 1
  fi
  echo "update-lockfile: $dest is up to date"
  exit 0
fi
if ! pnpm install --lockfile-only --no-frozen-lockfile >"$tmp/pnpm.log" 2>&1; then
  cat "$tmp/pnpm.log" >&2
  exit 1
fi
if cmp -s pnpm-lock.yaml "$dest"; then
  echo "update-lockfile: $dest is already up to date"
else
  cp pnpm-lock.yaml "$dest"
  echo "update-lockfile: wrote $dest"
fi
