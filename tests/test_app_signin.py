"""The editors' sign-in pause after wrong passwords: counted on the server per account and per client address,
so that it holds across sessions (a reload, a second tab, a second browser) and parallel attempts."""

from __future__ import annotations

import re
import threading

import pytest
from test_app_editing import HASH, PASSWORD, app, fresh_throttle, pages, sign_in  # noqa: F401 (autouse fixture)

from app_pages.auth import (
    MAX_FAILURES,
    MAX_PAUSE_S,
    PAUSE_S,
    THROTTLE,
    Attempt,
    SignInThrottle,
    client_key,
    password_attempt,
    throttle_keys,
    wait_seconds,
)
from app_pages.i18n import t

SECRETS = {"editors": {"password_hash": HASH}}


def attempt(password: str, *, account: str = "Erika", client: str | None = "203.0.113.7", now: float = 0.0,
            throttle: SignInThrottle | None = None):
    return password_attempt(password, HASH, account=account, client=client, now=now,
                            throttle=throttle or SignInThrottle())


def test_five_wrong_passwords_pause_even_the_right_one():
    throttle = SignInThrottle()
    for i in range(MAX_FAILURES - 1):
        assert attempt("wrong", throttle=throttle, now=100.0 + i) == Attempt("wrong", 0.0)
    fifth = attempt("wrong", throttle=throttle, now=110.0)
    assert fifth.outcome == "wrong" and fifth.wait_s == pytest.approx(PAUSE_S)  # this one starts the pause
    paused = attempt(PASSWORD, throttle=throttle, now=111.0)
    assert paused.outcome == "paused" and paused.wait_s == pytest.approx(PAUSE_S - 1)
    assert attempt(PASSWORD, throttle=throttle, now=110.0 + PAUSE_S).outcome == "ok"


def test_the_pause_grows_with_every_further_wrong_password_up_to_a_limit():
    throttle, now, pauses = SignInThrottle(), 0.0, []
    for _ in range(MAX_FAILURES - 1):
        attempt("wrong", throttle=throttle, now=now)
    for _ in range(8):
        result = attempt("wrong", throttle=throttle, now=now)
        assert result.outcome == "wrong"
        pauses.append(result.wait_s)
        now += result.wait_s  # the next guess as soon as allowed
    assert pauses[:4] == [PAUSE_S, 2 * PAUSE_S, 4 * PAUSE_S, 8 * PAUSE_S]
    assert all(a <= b for a, b in zip(pauses, pauses[1:], strict=False)) and max(pauses) == MAX_PAUSE_S


def test_a_right_password_starts_the_count_again():
    throttle = SignInThrottle()
    for _ in range(MAX_FAILURES - 1):
        attempt("wrong", throttle=throttle)
    assert attempt(PASSWORD, throttle=throttle).outcome == "ok"
    for _ in range(MAX_FAILURES - 1):
        assert attempt("wrong", throttle=throttle).wait_s == 0  # four more before a pause, not one


def test_counted_per_client_whatever_name_is_typed():
    throttle = SignInThrottle()
    for i in range(MAX_FAILURES):
        attempt("wrong", throttle=throttle, account=f"name {i}")
    assert attempt(PASSWORD, throttle=throttle, account="a new name").outcome == "paused"
    assert attempt(PASSWORD, throttle=throttle, account="a new name", client="198.51.100.2").outcome == "ok"


def test_counted_per_account_from_whatever_address():
    throttle = SignInThrottle()
    for i in range(MAX_FAILURES):
        attempt("wrong", throttle=throttle, client=f"203.0.113.{i}")
    assert attempt(PASSWORD, throttle=throttle, account=" ERIKA ", client="198.51.100.2").outcome == "paused"
    assert attempt(PASSWORD, throttle=throttle, account="Max", client="198.51.100.2").outcome == "ok"


def test_no_address_counts_as_one_local_client():
    assert throttle_keys(" Erika ", None) == throttle_keys("erika", "") == (("account", "erika"), ("client", "local"))
    assert throttle_keys("", "203.0.113.7") == (("account", "editor"), ("client", "203.0.113.7"))
    assert client_key("not an address") == client_key(object()) == "local"


def test_an_ipv6_client_is_counted_by_its_64_network():
    """One household is given a whole /64: a new address per guess is still the same client."""
    assert client_key("2001:db8:1:2::17") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::17") != client_key("2001:db8:1:2::17")
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"


def test_parallel_attempts_cannot_outrun_the_count():
    """Many threads (as many tabs) guess at once: no more passwords are checked than the pause allows."""
    throttle, outcomes, start = SignInThrottle(), [], threading.Barrier(24)

    def guess(i: int) -> None:
        start.wait()
        outcomes.append(password_attempt(f"guess {i}", HASH, account="Erika", client="203.0.113.7",
                                         throttle=throttle).outcome)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("wrong") == MAX_FAILURES
    assert outcomes.count("paused") == 24 - MAX_FAILURES


def test_a_flood_of_invented_names_neither_fills_memory_nor_lifts_the_pause():
    throttle = SignInThrottle(max_keys=50)
    for i in range(500):
        attempt("wrong", throttle=throttle, account=f"name {i}", now=float(i))
    assert len(throttle._counts) <= 50
    assert attempt(PASSWORD, throttle=throttle, account="another", now=500.0).outcome == "paused"  # the client


def test_an_old_count_is_forgotten():
    throttle = SignInThrottle(forget_s=3600.0)
    for _ in range(MAX_FAILURES - 1):
        attempt("wrong", throttle=throttle, now=0.0)
    assert attempt("wrong", throttle=throttle, now=3600.0).wait_s == 0  # a fresh count, not the fifth failure


def test_seconds_told_are_whole_and_never_zero():
    assert [wait_seconds(s) for s in (0.2, 1.0, 59.01, 60.0)] == [1, 1, 60, 60]


# ---------------------------------------------------------------- in the app: separate sessions
def _paused_seconds(at) -> int | None:
    pattern = re.escape(t("auth.paused", s="§")).replace("§", r"(\d+)")
    for error in at.error:
        if found := re.fullmatch(pattern, error.value):
            return int(found.group(1))
    return None


def test_the_pause_holds_in_a_new_session(small_gpkg):
    """Session A (a tab) guesses five times; session B (a reload, another tab) is paused as well, also for
    the right password and under another name; a later right password signs in and starts the count again."""
    first = app(SECRETS)
    for i in range(MAX_FAILURES):
        sign_in(first, f"guess {i}", name="Mallory")
    assert t("auth.wrong") in [e.value for e in first.error]
    assert _paused_seconds(first) == round(PAUSE_S)
    second = app(SECRETS)
    sign_in(second, name="Mallory")
    assert t("page.edit") not in pages(second)
    assert 0 < _paused_seconds(second) <= PAUSE_S
    sign_in(second, name="Erika Muster")  # another name, the same client
    assert t("page.edit") not in pages(second) and _paused_seconds(second)

    THROTTLE.clear()  # what the pause's end does to the counters; a right password then signs in
    sign_in(second)
    assert t("page.edit") in pages(second)


def test_a_paused_attempt_is_told_in_german_with_the_seconds(small_gpkg):
    at = app(SECRETS)
    for i in range(MAX_FAILURES + 1):
        sign_in(at, f"guess {i}")
    [message] = [e.value for e in at.error]  # paused: the password was not even checked
    found = re.fullmatch(r"Zu viele Fehlversuche\. Bitte in (\d+) Sekunden erneut versuchen\.", message)
    assert found and 0 < int(found.group(1)) <= PAUSE_S
