#!/usr/bin/env bash
# Records new public API of the packed libraries in their PublicAPI.Unshipped.txt (docs/public-api.md).
# Finds every project under src/ that tracks its API (packed, not a tool: see src/Directory.Build.targets),
# creates its PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt if missing, and adds what RS0016 reports.
# It only adds: API that was removed or changed still fails the build (RS0017) until its line is deleted by
# hand, so a break is always a decision someone made.
#
#   scripts/update-public-api.sh          # add new public API to PublicAPI.Unshipped.txt
#   scripts/update-public-api.sh --ship   # then move everything unshipped into PublicAPI.Shipped.txt (a release)
set -euo pipefail
cd "$(dirname "$0")/.."

ship=false
case "${1:-}" in
  "") ;;
  --ship) ship=true ;;
  *) echo "usage: $0 [--ship]" >&2; exit 1 ;;
esac

header='#nullable enable'
# The API lines of a file, without its header, sorted the same way every time so diffs stay small.
api_lines() { grep -v -x -F "$header" "$1" | grep -v '^$' | LC_ALL=C sort -u || true; }

mapfile -t projects < <(find src -name '*.csproj' | LC_ALL=C sort)
tracked=0
for project in "${projects[@]}"; do
  [[ $(dotnet msbuild "$project" -nologo -getProperty:TrackPublicApi) == true ]] || continue
  tracked=$((tracked + 1))
  folder=$(dirname "$project")
  for file in "$folder/PublicAPI.Shipped.txt" "$folder/PublicAPI.Unshipped.txt"; do
    [[ -f $file ]] || echo "$header" >"$file"
  done

  echo "$project: recording new public API..." >&2
  # The code fix of RS0016 appends each missing symbol to PublicAPI.Unshipped.txt.
  # The code fix has been seen dropping lines it did not add (a record's synthesized members), so what was
  # there before is kept: this script only adds.
  unshipped="$folder/PublicAPI.Unshipped.txt"
  before=$(mktemp)
  api_lines "$unshipped" >"$before"
  dotnet format analyzers "$project" --diagnostics RS0016 --severity warn -v quiet
  { echo "$header"; { cat "$before"; api_lines "$unshipped"; } | LC_ALL=C sort -u; } >"$unshipped.new" && mv "$unshipped.new" "$unshipped"
  rm -f "$before"

  if $ship; then
    shipped="$folder/PublicAPI.Shipped.txt"
    if grep -q '^\*REMOVED\*' "$unshipped"; then
      echo "$unshipped has *REMOVED* lines: delete those symbols from $shipped by hand, then ship again" >&2
      exit 1
    fi
    { echo "$header"; { api_lines "$shipped"; api_lines "$unshipped"; } | LC_ALL=C sort -u; } >"$shipped.new" && mv "$shipped.new" "$shipped"
    echo "$header" >"$unshipped"
  fi
done

if [[ $tracked -eq 0 ]]; then
  echo "no project under src/ tracks its public API (TrackPublicApi); nothing to do" >&2
  exit 1
fi
echo "done: $tracked project(s); review the PublicAPI.*.txt diff and build (dotnet build Mq.sln)" >&2
