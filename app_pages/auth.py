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
import ipaddress
import math
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256
MAX_FAILURES = 5  # wrong passwords for one account, or from one client address, before a pause
PAUSE_S = 60.0  # the first pause; each further wrong password after it doubles the pause ...
MAX_PAUSE_S = 900.0  # ... up to a quarter of an hour
FORGET_S = 24 * 3600.0  # a counter with no failure for a day starts again from nothing
MAX_KEYS = 10_000  # counters kept at most (the least recently failed are forgotten first)
LOCAL_CLIENT = "local"  # the client address when Streamlit gives none (localhost, AppTest)


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


@dataclass
class _Count:
    failures: int = 0
    paused_until: float = 0.0
    last_failure: float = 0.0


@dataclass(frozen=True)
class Attempt:
    """The outcome of one sign-in attempt: "ok", "wrong" or "paused", and the seconds to wait before the
    next attempt is taken (0 when none; after a wrong password it can be > 0: that one started the pause)."""

    outcome: str
    wait_s: float = 0.0


class SignInThrottle:
    """Failed sign-ins counted on the server, per key, for every session of the process alike.

    A key is an account (the name typed, casefolded) or a client address. After `max_failures` failures of a
    key, sign-in for that key pauses `pause_s` seconds; each further failure after a pause doubles the pause,
    up to `max_pause_s`. An attempt is counted as failed *before* its password is checked (and taken back when
    it is right): parallel tabs cannot run more than `max_failures` guesses at once, and a paused attempt
    costs no PBKDF2 time at all. A key without a failure for `forget_s` seconds starts again; at most
    `max_keys` keys are kept (the least recently failed go first), so a flood of invented names cannot
    exhaust memory. Thread-safe (Streamlit runs every session in its own thread).

    Kept in a module-level object rather than `st.cache_resource`: the editors' import clears that cache,
    which would clear the counters too.
    """

    def __init__(self, *, max_failures: int = MAX_FAILURES, pause_s: float = PAUSE_S,
                 max_pause_s: float = MAX_PAUSE_S, forget_s: float = FORGET_S, max_keys: int = MAX_KEYS) -> None:
        self.max_failures, self.pause_s, self.max_pause_s = max_failures, pause_s, max_pause_s
        self.forget_s, self.max_keys = forget_s, max_keys
        self._counts: OrderedDict[tuple[str, str], _Count] = OrderedDict()
        self._lock = threading.Lock()

    def _count(self, key: tuple[str, str], now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and count.paused_until <= now and now - count.last_failure >= self.forget_s:
            del self._counts[key]
            return None
        return count

    def wait_s(self, keys: Iterable[tuple[str, str]], now: float | None = None) -> float:
        """Seconds until every one of `keys` takes an attempt again (0: now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            counts = [self._count(key, now) for key in keys]
        return max([c.paused_until - now for c in counts if c is not None] + [0.0])

    def begin(self, keys: Iterable[tuple[str, str]], now: float | None = None) -> float:
        """Start an attempt for `keys`: 0.0 and the attempt counted as failed (`succeeded` takes it back), or
        the seconds to wait (> 0) and nothing counted, when one of the keys is paused."""
        now = time.monotonic() if now is None else now
        keys = list(dict.fromkeys(keys))
        with self._lock:
            counts = [self._count(key, now) for key in keys]
            wait = max([c.paused_until - now for c in counts if c is not None] + [0.0])
            if wait > 0:
                return wait
            for key, count in zip(keys, counts, strict=True):
                count = count or _Count()
                count.failures += 1
                count.last_failure = now
                if count.failures >= self.max_failures:
                    doublings = count.failures - self.max_failures
                    count.paused_until = now + min(self.max_pause_s, self.pause_s * 2.0 ** min(doublings, 32))
                self._counts[key] = count
                self._counts.move_to_end(key)
            while len(self._counts) > self.max_keys:
                self._counts.popitem(last=False)
        return 0.0

    def succeeded(self, keys: Iterable[tuple[str, str]]) -> None:
        """A right password for `keys`: their counters start again from nothing."""
        with self._lock:
            for key in keys:
                self._counts.pop(key, None)

    def clear(self) -> None:
        """Forget every counter (tests; a restart of the app does the same)."""
        with self._lock:
            self._counts.clear()


THROTTLE = SignInThrottle()
"""The app's one throttle: shared by all sessions, reloads and tabs of this server process."""


def client_key(address) -> str:
    """The throttle's name for a client address: an IPv4 address as it is (also when IPv4-mapped in IPv6),
    an IPv6 address as its /64 network (one household or server is given a whole /64, so it could otherwise
    take a new address for every guess), and `LOCAL_CLIENT` for anything that is no IP address (None,
    localhost as Streamlit reports it)."""
    try:
        ip = ipaddress.ip_address(address.strip()) if isinstance(address, str) else None
    except ValueError:
        ip = None
    if ip is None:
        return LOCAL_CLIENT
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def throttle_keys(account: str, client: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
    """The throttle's keys for a sign-in: the account (the name, stripped and casefolded; "editor" when empty,
    as the app records it) and the client (`client_key`)."""
    return ("account", account.strip().casefold() or "editor"), ("client", client_key(client))


def password_attempt(password: str, stored: str, *, account: str, client: str | None,
                     throttle: SignInThrottle = THROTTLE, now: float | None = None) -> Attempt:
    """Check one sign-in attempt against the stored hash, throttled per account and per client address
    (`SignInThrottle`): `Attempt("ok")` resets both counters; `Attempt("wrong", wait_s)`; or
    `Attempt("paused", wait_s)` without checking the password."""
    now = time.monotonic() if now is None else now
    keys = throttle_keys(account, client)
    wait = throttle.begin(keys, now)
    if wait > 0:
        return Attempt("paused", wait)
    if check_password(password, stored):
        throttle.succeeded(keys)
        return Attempt("ok")
    return Attempt("wrong", throttle.wait_s(keys, now))


def wait_seconds(wait_s: float) -> int:
    """Whole seconds to tell the user (rounded up, at least 1)."""
    return max(1, math.ceil(wait_s))


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
