#!/usr/bin/env bash
# The README's first command: install what is missing, build a release, serve on 127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 scripts/setup.sh
scripts/build.sh release
echo "serving http://127.0.0.1:${PORT:-8080}/"
exec python3 -m http.server "${PORT:-8080}" --bind 127.0.0.1 --directory dist
