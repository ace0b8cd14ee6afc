"""Who may edit in the app: an editor signed in through Streamlit's OIDC login, or with the editors'
password configured in the app's secrets. Nobody else sees the import and edit functions.

Secrets (`.streamlit/secrets.toml`, never in the repository):

    # either OIDC (Streamlit's st.login, see its docs for the [auth] section) plus who may edit:
    [auth]
    ...
    [editors]
    emails = ["planung@gelsen-net.example"]

    # or a shared editors' password, stored only as a hash (make one: python -m app_pages.auth):
    [editors]
    password_hash = "pbkdf2_sha256$600000$<salt hex>$<hash hex>"

`python -m app_pages.auth` asks for a password and prints the line to put into the secrets.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
import sys
import time
from collections.abc import Mapping, MutableMapping

ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256
MAX_FAILURES = 5  # wrong passwords in a session before a pause
PAUSE_S = 60.0


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """`pbkdf2_sha256$iterations$salt$hash` of `password` (hex)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (constant-time comparison); False for a malformed hash."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        expected = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations))
        return hmac.compare_digest(expected.hex(), digest)
    except (ValueError, TypeError):
        return False


def editor_config(secrets_: Mapping) -> dict:
    """How editors sign in, from the app's secrets: {"mode": "oidc", "emails": [...]},
    {"mode": "password", "hash": ...}, or {"mode": None} (no editing in the app)."""
    editors = secrets_.get("editors") or {}
    if secrets_.get("auth") and editors.get("emails"):
        return {"mode": "oidc", "emails": [str(e).strip().lower() for e in editors["emails"]]}
    if editors.get("password_hash"):
        return {"mode": "password", "hash": str(editors["password_hash"])}
    return {"mode": None}


def password_attempt(state: MutableMapping, password: str, stored: str, *, now: float | None = None) -> str:
    """Check one sign-in attempt, counting failures in `state` (the session):
    "ok", "wrong", or "paused" (too many failures: wait PAUSE_S seconds)."""
    now = time.monotonic() if now is None else now
    if state.get("editor_paused_until", 0.0) > now:
        return "paused"
    if check_password(password, stored):
        state["editor_failures"] = 0
        return "ok"
    state["editor_failures"] = state.get("editor_failures", 0) + 1
    if state["editor_failures"] >= MAX_FAILURES:
        state["editor_failures"] = 0
        state["editor_paused_until"] = now + PAUSE_S
    return "wrong"


def main() -> int:
    first = getpass.getpass("editors' password: ")
    if len(first) < 12:
        print("use at least 12 characters", file=sys.stderr)
        return 1
    if getpass.getpass("again: ") != first:
        print("the two entries differ", file=sys.stderr)
        return 1
    print("Put this into .streamlit/secrets.toml (not into the repository):\n")
    print("[editors]")
    print(f'password_hash = "{hash_password(first)}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
