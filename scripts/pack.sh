#!/usr/bin/env bash
# Packs every package of Mq.sln (the libraries with their symbol packages, and the three .NET tools) into the
# local folder feed artifacts/packages, replacing what was there, and forgets the samples' extracted copies of
# Mq's packages so that their next restore takes these (samples/nuget.config explains why they have their own).
#
#   scripts/pack.sh                     # version from Directory.Build.props (Version)
#   scripts/pack.sh -p:Version=0.2.0    # any further argument goes to dotnet pack
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
feed="$ROOT/artifacts/packages"

rm -rf "$feed"
mkdir -p "$feed"
echo "packing into $feed..." >&2
dotnet pack "$ROOT/Mq.sln" -c Release -o "$feed" -nologo -v quiet "$@"

shopt -s nullglob
for package in "$feed"/*.nupkg; do
  # Mq.Broker.Core.0.1.0.nupkg -> mq.broker.core: NuGet keeps extracted packages under their lower-cased id.
  name=$(basename "$package" .nupkg)
  id=$(sed -E 's/\.[0-9]+\.[0-9]+\.[0-9]+(-.*)?$//' <<<"$name")
  rm -rf "$ROOT/artifacts/samples-packages/${id,,}"
done
ls -1 "$feed" >&2
