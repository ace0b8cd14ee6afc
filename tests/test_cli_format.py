"""One number format in the CLI (issue 15 point 6): English grouping and decimal point everywhere; the plan
printed '0.54 km, 103.208 €' (German thousands beside an English decimal point) and '2185 pupils'."""

from __future__ import annotations

import re

import pytest

from inventory.cli import main
from inventory.cli_format import count, euro_range, euros, km, metres, number, share
from inventory.settings import SAMPLE_GPKG


@pytest.mark.parametrize("call,text", [
    (lambda: number(1234567.891, 2), "1,234,567.89"),
    (lambda: number(float("nan")), "–"),
    (lambda: count(2185), "2,185"),
    (lambda: count(None), "–"),
    (lambda: metres(1180.37), "1,180 m"),
    (lambda: metres(2556.24, 1), "2,556.2 m"),
    (lambda: km(0.541), "0.54 km"),
    (lambda: euros(103208.4), "€103,208"),
    (lambda: euros(-5), "-€5"),
    (lambda: euros(-0.2), "€0"),
    (lambda: euros(0.94, 1), "€0.9"),
    (lambda: euro_range(70604, 103208), "€70,604–€103,208"),
    (lambda: euro_range(2000, 2000.4), "€2,000"),
    (lambda: share(0.782), "78 %"),
])
def test_the_formatter(call, text):
    assert call() == text


ENGLISH = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?")
AMOUNT = re.compile(r"(?<![\w.,-])(€?-?[\d.,]*\d)(?: ?(m|km|pupils?|sites?|site\(s\)|segments?|segment\(s\)|"
                    r"node\(s\)|schools|vertices|%|€))?(?![\w.,])")


def amounts(text: str) -> list[str]:
    """Every number printed with a unit or as a euro amount (ids, years and coordinates stand alone)."""
    found = []
    for match in AMOUNT.finditer(text):
        value, unit = match.group(1), match.group(2)
        if value.startswith("€") or unit:
            found.append((value.removeprefix("€"), unit or "€", match.group(0)))
    return found


def outputs(capsys) -> dict[str, str]:
    runs = {
        "analyse": ["analyse"],
        "impact": ["impact", "--trench", "TR-0090"],
        "impact_at": ["impact", "--at", "368500,5710500", "--radius-m", "300"],
        "paths": ["paths", "193800"],
        "plan": ["plan", "--top", "20"],
        "coverage": ["coverage", "--by", "district"],
    }
    texts = {}
    for name, argv in runs.items():
        assert main([*argv, "--db", str(SAMPLE_GPKG)]) == 0
        texts[name] = capsys.readouterr().out
    return texts


def test_every_amount_the_commands_print_is_in_one_english_format(capsys):
    texts = outputs(capsys)
    checked = 0
    for name, text in texts.items():
        for value, _unit, seen in amounts(text):
            checked += 1
            assert ENGLISH.fullmatch(value), f"{name}: {seen!r} is not in the English format (1,234.5)"
        assert not re.search(r"\d €", text), f"{name}: an amount with the euro sign behind it"
        # a whole number of 1,000 or more is grouped: '2185 pupils' is not
        assert not re.search(r"(?<![\w.,-])\d{4,} (pupils|m|km|site)", text), name
    assert checked > 100
    # the mix the issue names is gone, and the amounts are the same numbers in the new form
    assert "103.208 €" not in texts["plan"] and "€103,208" in texts["plan"]
    assert "2,185 pupils" in texts["analyse"]
