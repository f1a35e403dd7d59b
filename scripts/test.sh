#!/usr/bin/env bash
# Runs Ombud's whole test suite: go vet, gofmt and staticcheck, then go
# test -race on SQLite and PostgreSQL. No test skips for a missing tool,
# so the suite needs:
#
#   Go 1.26         go.mod names the exact version (go fetches it when older)
#   PostgreSQL      server binaries initdb and postgres, any supported version,
#                   on PATH or in /usr/lib/postgresql/*/bin (tests start a
#                   throwaway cluster in a temporary directory; nothing is
#                   configured system-wide)
#   Chromium        /usr/bin/chromium or /usr/bin/chromium-browser (browser journeys)
#   Dovecot 2.3.x   /usr/sbin/dovecot or on PATH (the IMAP peer; 2.4 changed
#                   its configuration syntax and is refused)
#   swaks           on PATH (an SMTP client for mail tests)
#   Node.js + npm   node and npm on PATH (the Zendesk API test runs the real
#                   node-zendesk client; its pinned node_modules are installed
#                   with npm ci below)
#   curl            on PATH (the docs' curl examples are run as written)
#
# On Debian and Ubuntu the script installs what is missing with apt-get
# (packages postgresql, chromium, dovecot-imapd, swaks), through sudo when
# not root.
#
# Without root: everything runs as your user — PostgreSQL and Dovecot are
# started by the tests as you, on loopback ports, in temporary directories.
# Only installing needs root: install the four tools once (or have them
# installed), then the script needs no privileges. As root, the tests run
# PostgreSQL as the "postgres" user and Dovecot's login processes as
# "dovecot"/"dovenull", which the Debian packages create.
#
# Other systems: install the same tools so the paths above resolve, e.g.
#   Fedora:  dnf install postgresql-server chromium dovecot swaks
#   Arch:    pacman -S postgresql chromium swaks, and a Dovecot 2.3 build
#   Alpine:  apk add postgresql chromium dovecot swaks (check dovecot --version is 2.3.x)
# then run this script again; it only checks and goes on.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ] && [ ! -x /usr/bin/chromium-browser ]; then
  need+=(chromium)
fi
if [ ! -x /usr/sbin/dovecot ] && ! command -v dovecot >/dev/null 2>&1; then
  need+=(dovecot-imapd)
fi
if ! command -v swaks >/dev/null 2>&1; then
  need+=(swaks)
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
if ! command -v curl >/dev/null 2>&1; then
  need+=(curl)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      SUDO="sudo"
    elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
      SUDO="sudo" # asks for your password
    else
      SUDO="none"
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$SUDO" = "none" ]; then
    echo "scripts/test.sh: missing test tools (Debian package names): ${need[*]}" >&2
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "This is not a Debian-based system: install PostgreSQL, Chromium, Dovecot 2.3 and swaks with your package manager (see the top of scripts/test.sh), then run it again." >&2
    else
      echo "Installing them needs root: run 'sudo apt-get install ${need[*]}' once (or ask an administrator), then run this script again as yourself." >&2
    fi
    exit 1
  fi
  [ "$SUDO" = "none" ] && SUDO=""
  echo "installing test tools: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The real Zendesk client library the /api/v2 test drives, as pinned by its
# package-lock.json (installed once; node_modules is not committed).
zdnode=internal/web/api/zendesk/testdata/node
if [ ! -f "$zdnode/node_modules/node-zendesk/package.json" ]; then
  echo "== npm ci ($zdnode)"
  (cd "$zdnode" && npm ci --no-audit --no-fund)
fi

echo "== go vet, gofmt, staticcheck"
go vet ./...
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "== go test (race detector, SQLite and PostgreSQL)"
# The race detector instruments Ombud's code and every Go dependency, with
# two exceptions compiled without it: SQLite's engine (modernc.org's
# translation of SQLite's C to Go, package modernc.org/sqlite/lib), whose
# every memory access instrumented made each SQLite test 20-50x slower (a
# migration took 15-30 s), and which is C, thread-safe by its own locks, that
# a cgo build would not instrument either; and Argon2, pure arithmetic over
# memory it owns, which every test agent's password runs through. Ombud's
# side of every call into them is still instrumented. The translated C
# library underneath (modernc.org/libc) stays instrumented: without it the
# detector lost track of ordering it provides and reported races inside
# encoding/json's type cache, which cannot race.
go test -race -count=1 -timeout 60m \
  -gcflags='modernc.org/sqlite/lib=-race=false' -gcflags='golang.org/x/crypto/argon2=-race=false' \
  ./... "$@"
