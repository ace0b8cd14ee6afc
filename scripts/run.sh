#!/usr/bin/env bash
# THE run command: set up Python, build the demo GeoPackage if missing, then
# serve the Streamlit app (default port 8501; extra args go to streamlit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bootstrap.sh
if [[ ! -f data/gelsenkirchen.gpkg ]]; then   # first run: build the sample data
    .venv/bin/gelsennet demo --db data/gelsenkirchen.gpkg
fi
exec .venv/bin/streamlit run app.py --server.headless true "$@"
