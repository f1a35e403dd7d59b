#!/usr/bin/env bash
# Runs Ombud's whole test suite. It first installs what the tests need from
# Debian's packages (PostgreSQL server binaries, Chromium for browser tests,
# Dovecot as the IMAP peer and swaks as an SMTP client for mail tests),
# so no test ever skips for a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi
if [ ! -x /usr/sbin/dovecot ]; then
  need+=(dovecot-imapd)
fi
if ! command -v swaks >/dev/null 2>&1; then
  need+=(swaks)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test tools: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "== go vet"
go vet ./...
echo "== go test (race detector, SQLite and PostgreSQL)"
go test -race -count=1 -timeout 30m ./... "$@"
