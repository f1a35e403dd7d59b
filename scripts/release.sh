#!/usr/bin/env bash
# Release build: static ombud binaries for linux/amd64 and linux/arm64,
# packed reproducibly, with SHA256SUMS. The same commit and Go toolchain
# give byte-identical archives on any machine: paths are trimmed, build ids
# dropped, cgo off, and every timestamp is the commit's time
# (SOURCE_DATE_EPOCH). Check it: run twice, compare dist/SHA256SUMS.
#
#   make release                                   # both platforms into dist/
#   PLATFORMS=linux/amd64 OUT=/tmp/rel make release
#   VERSION=v1.2.0 make release                    # name the version (default: git describe)
set -euo pipefail
cd "$(dirname "$0")/.."

PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64}
OUT=${OUT:-dist}
COMMIT=${COMMIT:-$(git rev-parse HEAD)}
VERSION=${VERSION:-$(git describe --tags --always --dirty)}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
DATE=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
export SOURCE_DATE_EPOCH CGO_ENABLED=0 GOFLAGS=-mod=readonly

pkg=github.com/ombud/ombud/internal/app
# Version, commit and date go in with -ldflags as well as from -buildvcs:
# VCS stamping needs a plain git checkout (not a worktree, not a tarball).
ldflags="-s -w -buildid= -X $pkg.Version=$VERSION -X $pkg.Commit=$COMMIT -X $pkg.BuildDate=$DATE"

mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
archives=()
for p in $PLATFORMS; do
	os=${p%/*} arch=${p#*/}
	name=ombud-$VERSION-$os-$arch
	dir=$work/$name
	mkdir -p "$dir/deploy"
	echo "building $name" >&2
	GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=auto -ldflags "$ldflags" -o "$dir/ombud" ./cmd/ombud
	cp LICENSE README.md CHANGELOG.md "$dir/"
	cp deploy/ombud.service "$dir/deploy/"
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
		--mode='u+rwX,go+rX,go-w' -C "$work" -cf - "$name" | gzip -n -9 >"$OUT/$name.tar.gz"
	archives+=("$name.tar.gz")
done
(cd "$OUT" && sha256sum "${archives[@]}" >SHA256SUMS)
echo "wrote $OUT: ${archives[*]} SHA256SUMS" >&2
