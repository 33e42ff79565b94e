#!/usr/bin/env bash
# Install the Debian packages Waypoint needs, only when one is missing.
#   scripts/system-packages.sh run   what the site itself needs (`make run`)
#   scripts/system-packages.sh       that, plus what the test suite needs (`make test`, `make bench`)
set -euo pipefail
mode=${1:-test}
case "$mode" in
  run|test) ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac
missing=()
# WeasyPrint (the printable directory) loads Pango through FreeType/fontconfig; libpangoft2 pulls in
# Pango, HarfBuzz, fontconfig and GLib. HarfBuzz-subset embeds only the glyphs used (WeasyPrint warns
# and falls back to a slower subsetter without it). DejaVu covers Latin and Cyrillic.
if command -v dpkg-query >/dev/null 2>&1; then
  installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
  installed libpangoft2-1.0-0 || missing+=(libpangoft2-1.0-0)
  installed libharfbuzz-subset0 || missing+=(libharfbuzz-subset0)
  installed fonts-dejavu-core || missing+=(fonts-dejavu-core)
else
  echo "Not a Debian system: WeasyPrint needs Pango, HarfBuzz and a font with Cyrillic (DejaVu)." >&2
fi
if [ "$mode" = test ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
