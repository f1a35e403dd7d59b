#!/usr/bin/env bash
# Builds the release for this machine's platform twice and checks the two
# builds are byte-identical, their checksums hold and the binary names the
# commit. A cold build takes minutes, so this is not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(go env GOARCH)
a=$(mktemp -d) b=$(mktemp -d)
trap 'rm -rf "$a" "$b"' EXIT
PLATFORMS=linux/$arch OUT=$a bash scripts/release.sh
PLATFORMS=linux/$arch OUT=$b bash scripts/release.sh
cmp "$a/SHA256SUMS" "$b/SHA256SUMS" || { echo "two release builds differ" >&2; exit 1; }
(cd "$a" && sha256sum -c SHA256SUMS)
name=$(awk '{print $2}' "$a/SHA256SUMS" | head -1)
tar -xzf "$a/$name" -C "$a"
commit=$(git rev-parse HEAD)
"$a/${name%.tar.gz}/ombud" version | grep -q "commit: $commit" || { echo "ombud version does not name $commit" >&2; exit 1; }
echo "release build reproducible for linux/$arch"
