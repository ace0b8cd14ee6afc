#!/usr/bin/env bash
# Idempotent Python setup: .venv with the project installed editable plus its
# `dev` extra. Safe to run repeatedly; re-installs only when pyproject.toml
# changed since the last successful run (stamp file inside .venv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repo root, whatever the caller's cwd

# Run a command as root: directly, via sudo, or fail with a clear message.
as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "bootstrap.sh: need root (or sudo) to run: $*" >&2; exit 1
    fi
}

# Debian ships venv/ensurepip separately (python3-venv).
if [[ ! -x .venv/bin/python ]]; then
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
    fi
    python3 -m venv .venv
fi

stamp=.venv/.gelsennet-bootstrap
want="$(cat pyproject.toml .venv/pyvenv.cfg | sha256sum)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    # Quiet: pip's (and setuptools') chatter is shown only when it fails.
    log="$(mktemp)"
    trap 'rm -f "$log"' EXIT
    pip=(.venv/bin/python -m pip install --disable-pip-version-check)
    if ! { "${pip[@]}" --upgrade pip && "${pip[@]}" -e '.[dev]'; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "bootstrap.sh: pip install failed (output above)" >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
