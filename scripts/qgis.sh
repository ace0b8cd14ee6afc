#!/usr/bin/env bash
# Idempotent: make sure Debian's PyQGIS is installed for tests/test_qgis_styles.py, which opens the GeoPackages
# the tool writes in QGIS (headless, QT_QPA_PLATFORM=offscreen) and checks that their default styles load.
# About 4 minutes and 200 MB on a new Debian machine; the project itself never imports QGIS.
set -euo pipefail
if /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null; then
    echo "qgis.sh: no PyQGIS and no apt-get: install QGIS's Python bindings (python3-qgis) yourself" >&2; exit 1
fi
if [[ $EUID -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "qgis.sh: need root or sudo to install python3-qgis" >&2; exit 1
fi
echo "qgis.sh: installing python3-qgis with apt-get ..." >&2
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-qgis >&2
