#!/usr/bin/env bash
# THE test command: set up Python, lint, start a throwaway PostGIS cluster,
# run pytest against it (args are passed to pytest), always remove the
# cluster, and exit with pytest's exit code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bootstrap.sh
bash scripts/browser.sh        # Debian's Chromium for the real-browser test
bash scripts/qgis.sh           # Debian's PyQGIS: the GeoPackages the tool writes must open styled in QGIS
.venv/bin/ruff check .

# postgis.sh prints GELSENNET_TEST_DB_URL=... and GELSENNET_PG_DIR=... lines.
pg_env="$(bash scripts/postgis.sh start)"   # fails loudly if it cannot start
eval "$pg_env"
export GELSENNET_TEST_DB_URL
trap 'bash scripts/postgis.sh stop "$GELSENNET_PG_DIR"' EXIT
trap 'exit 130' INT   # make Ctrl-C / kill run the EXIT trap too
trap 'exit 143' TERM

.venv/bin/python -m pytest "$@"
