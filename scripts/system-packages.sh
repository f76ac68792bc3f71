#!/usr/bin/env bash
# Debian packages the test suite drives: Chromium (browser tests), LibreOffice Calc (the
# workbook conversion test), poppler's pdftoppm (the printed forms' layout test) and, with TEST_DATABASE_URL, the PostgreSQL client (backups). Installed once, with sudo when not root; a no-op when present.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v libreoffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
# pdftoppm renders a printed questionnaire's page to PNG, so a broken layout is caught.
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# pg_dump and pg_restore for the backup tests, when they run on PostgreSQL too.
if [ -n "${TEST_DATABASE_URL:-}" ]; then command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Install ${missing[*]} with your package manager (the browser and LibreOffice tests need them)." >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing ${missing[*]} (Debian packages) ..."
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
