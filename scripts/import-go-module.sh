#!/usr/bin/env bash
# Imports a Go module developed as a real project (e.g. a generated demo project's
# services/gateway, module example.com/demo/services/gateway) into templates/project:
#   go.mod → go.mod.tmpl, *.go → *.go.tmpl, example.com/demo → {{.Module}}
# Everything else (testdata, Dockerfile, README) is copied as is. The destination is
# replaced wholesale, so files deleted upstream disappear here too.
#
#   scripts/import-go-module.sh /path/to/demo/services/gateway services/gateway
set -euo pipefail
src=${1:?usage: $0 SRC-MODULE-DIR DEST-UNDER-templates/project}
dest="$(cd "$(dirname "$0")/.." && pwd)/templates/project/${2:?destination missing}"
prefix=${MODULE_PREFIX:-example.com/demo}

if grep -rl --include='*.go' '{{' "$src" >/dev/null; then
  echo "refusing: these Go files contain '{{', which text/template would interpret:" >&2
  grep -rl --include='*.go' '{{' "$src" >&2
  exit 1
fi
rm -rf "$dest"
mkdir -p "$dest"
(cd "$src" && find . -type f ! -path './.data/*' ! -name 'go.work*' ! -name '*.test' ! -name '.DS_Store') | while read -r f; do
  f=${f#./}
  out="$dest/$f"
  mkdir -p "$(dirname "$out")"
  case "$f" in
    go.mod | *.go)
      sed "s#${prefix}#{{.Module}}#g" "$src/$f" > "$out.tmpl" ;;
    *)
      cp "$src/$f" "$out" ;;
  esac
done
echo "imported $src into ${dest#$PWD/}"
