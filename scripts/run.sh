#!/usr/bin/env bash
# THE run command: set up Python, build the demo GeoPackage if missing, then
# serve the Streamlit app with warm caches (default port 8501; extra args go
# to streamlit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bootstrap.sh
if [[ ! -f data/gelsenkirchen.gpkg ]]; then   # first run: build the sample data
    .venv/bin/gelsennet demo --db data/gelsenkirchen.gpkg
fi
# app_pages.serve is `streamlit run app.py` that fills the caches right after the start
exec .venv/bin/python -m app_pages.serve --server.headless true "$@"
