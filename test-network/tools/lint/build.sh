#!/usr/bin/env bash
# Builds the golangci-lint pinned by this module into
# <repo>/.cache/lint/<pin>/golangci-lint unless it is there already, and
# prints the binary's path on stdout (progress goes to stderr), so callers can
# run "$(test-network/tools/lint/build.sh)" run ./...  ($GO, when set, names
# the go command to use, as in the Makefile.)
#
# <pin> is a hash of this module's go.sum and of the Go version: a changed pin
# builds afresh, an unchanged one never rebuilds, and a newer Go toolchain
# rebuilds too because golangci-lint refuses to analyse code targeting a Go
# newer than the one it was built with.
set -euo pipefail

go="${GO:-go}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum | cut -c1-16
	else
		shasum -a 256 | cut -c1-16
	fi
}

pin="$({ cat "$here/go.sum"; "$go" env GOVERSION; } | sha256)"
dir="$root/.cache/lint/$pin"
bin="$dir/golangci-lint"

if [[ ! -x "$bin" ]]; then
	cd "$here"
	info="$("$go" list -m -f '{{.Version}} {{with .Time}}{{.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' github.com/golangci/golangci-lint/v2)"
	read -r version released <<<"$info"
	echo "building golangci-lint $version into $dir" >&2
	mkdir -p "$dir"
	# Build under a temporary name and rename, so an interrupted or concurrent
	# build never leaves a half-written binary at the path callers run.
	tmp="$(mktemp "$dir/.golangci-lint.XXXXXX")"
	trap 'rm -f "$tmp"' EXIT
	# golangci-lint reports the version goreleaser stamps into it; a plain
	# build of it as a dependency would report "(devel)" instead.
	"$go" build -trimpath -o "$tmp" \
		-ldflags "-X main.version=${version#v} -X main.date=${released:-unknown} -X main.commit=test-network/tools/lint" \
		github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	mv -f "$tmp" "$bin"
fi

echo "$bin"
