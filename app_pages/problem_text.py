"""Data-quality findings (`inventory.problems.Problem`) in the app's language.

The library words every finding in English (the CLI's language): the English side shows it as it is. The
German side words it anew from the finding's code and parameters, never from its English text: each rule
(`Problem.rule`) has a German text per part (found value, expected, fix) in `WORDING_DE` (joined from
`app_pages.finding_words` and `app_pages.import_finding_words`), with placeholders for the values the library
passes in `Problem.params` (ids, metres, shares, coordinates, field names), which are written the German way
(`fmt`). A rule or part without a German text, a `variant` it does not know, or a
finding whose parameters lack a placeholder keeps the English text, so nothing is lost; `missing_wording`
names such gaps and `tests/test_app_language.py` checks that every rule the library raises has a German text,
and that no finding of the bad-input corpus, the sample, the topology checks and hand-made files has a gap.

A placeholder is `{name}` or `{name:spec}`: without a spec text as it is and a number with the decimals it
has; `.N` a number with N decimals; `plain` a number with the decimals it has and no thousands separator (a
year); `xy` a coordinate (one decimal, no thousands separator); `%` a share 0..1
as whole per cent, rounded down as the library does; `list` values joined by commas; `row` a row label
(`row_text`); `dtype` a data type's expectation (`DTYPE_DE`); `g` a coordinate as the library writes it (ten
significant digits, no thousands separator); `hex` a byte as 0x..; `if:TEXT` TEXT (which may hold placeholders
itself) where the value is given and not 0, nothing where it is None, 0 or empty; `unless:TEXT` the other way
round.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping

import pandas as pd

from app_pages.finding_words import CHECK_WORDING_DE, DTYPE_DE, ROW_KEYS_DE, VALUE_DE, Wording
from app_pages.i18n import DEFAULT_LANGUAGE, column_label, fmt
from app_pages.import_finding_words import IMPORT_WORDING_DE


def _join(*tables: dict[str, dict[str, Wording]]) -> dict[str, dict[str, Wording]]:
    """Join wording tables; a rule worded in two of them is a mistake, not an override."""
    joined: dict[str, dict[str, Wording]] = {}
    for table in tables:
        twice = set(joined) & set(table)
        if twice:
            raise ValueError(f"rules worded twice: {sorted(twice)}")
        joined.update(table)
    return joined


WORDING_DE = _join(CHECK_WORDING_DE, IMPORT_WORDING_DE)
"""Every rule's German texts: rule → part → template (or templates by variant, or AS_FOUND)."""

PARTS = ("value", "expected", "fix")


def _number(value, decimals: int | None = None, grouping: bool = True) -> str:
    """A number in German with `decimals` places; without, with the places it has (0.5 → '0,5', 150.0 → '150')."""
    if decimals is None:
        shown = f"{float(value):g}" if isinstance(value, float) else str(value)
        decimals = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
    return fmt(value, decimals, "de", grouping=grouping)


class _GermanFormatter(string.Formatter):
    """Fills a German text's placeholders (see the module's docstring for their specs)."""

    def format_field(self, value, format_spec: str) -> str:
        if format_spec == "xy":
            return fmt(value, 1, "de", grouping=False)
        if format_spec == "plain":
            return _number(value, grouping=False)
        if format_spec == "%":
            return fmt(math.floor(float(value) * 100), 0, "de")
        if format_spec == "list":
            return ", ".join(str(v) for v in value or [])
        if format_spec == "row":
            return row_text(value, "de")
        if format_spec == "dtype":
            return DTYPE_DE[value]
        if format_spec == "g":
            shown = f"{float(value):.10g}"
            decimals = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
            return fmt(float(shown), decimals, "de", grouping=False)
        if format_spec == "hex":
            return f"0x{int(value):02x}"
        if format_spec.startswith(("if:", "unless:")):
            given = value is not None and value != 0 and value != "" and value != []
            text = format_spec.partition(":")[2]
            return text if given == format_spec.startswith("if:") else ""
        if format_spec.startswith("."):
            return _number(value, int(format_spec[1:]))
        if format_spec:
            raise ValueError(f"unknown placeholder spec {format_spec!r}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number(value)
        return str(value)


_FORMATTER = _GermanFormatter()


def placeholders(template: str) -> set[str]:
    """The parameter names a German text needs (those of an `if:`/`unless:` text too)."""
    names = set()
    for _, name, spec, _ in _FORMATTER.parse(template):
        if name:
            names.add(name)
        if spec:
            names |= placeholders(spec)
    return names


def _wording(problem: Mapping, part: str) -> tuple[bool, str | None]:
    """Whether the rule words `part` at all, and its German template for this finding (None: AS_FOUND, or no
    template for the finding's variant)."""
    parts = WORDING_DE.get(str(problem.get("rule")), {})
    if part not in parts:
        return False, None
    wording = parts[part]
    if isinstance(wording, Mapping):
        variant = (problem.get("params") or {}).get("variant")
        return variant in wording, wording.get(variant)
    return True, wording


def missing_wording(problem: Mapping) -> list[str]:
    """The parts of a finding (`Problem.to_dict()`) that would stay English on the German side, each with why:
    no German text for its rule, part or variant, a placeholder its params lack, or params that do not fit
    the text (e.g. text where a number is wanted)."""
    params = problem.get("params") or {}
    gaps = []
    for part in PARTS:
        known, template = _wording(problem, part)
        if not known:
            gaps.append(f"{part}: no German text for rule {problem.get('rule')!r}"
                        + (f", variant {params.get('variant')!r}" if "variant" in params else ""))
        elif template is not None and (placeholders(template) - set(params)):
            gaps.append(f"{part}: params lack {sorted(placeholders(template) - set(params))}")
        elif template is not None:
            try:
                _FORMATTER.format(template, **params)
            except (KeyError, IndexError, ValueError, TypeError) as exc:
                gaps.append(f"{part}: the params do not fit its German text ({type(exc).__name__}: {exc})")
    return gaps


def _worded(problem: Mapping, part: str, text: str) -> str:
    """`text`, the library's English `part` of `problem`, in German from its rule and params; as it is where
    the rule has no German text for it (or shows it as found) or the params lack a placeholder."""
    _, template = _wording(problem, part)
    if template is None:
        return text
    try:
        return _FORMATTER.format(template, **(problem.get("params") or {}))
    except (KeyError, IndexError, ValueError, TypeError):
        return text


def row_text(row, lang: str = DEFAULT_LANGUAGE) -> str:
    """A finding's row label ('route_id R17', 'line 12') in `lang`."""
    if row is None or lang == "en":
        return "" if row is None else str(row)
    key, _, rest = str(row).partition(" ")
    if key not in ROW_KEYS_DE or not rest:
        return str(row)
    rest = re.sub(r"^(\d+) part (\d+)", r"\1 Teil \2", rest)  # "feature 3 part 2"
    rest = re.sub(r"^(\d+) in folder ", r"\1 im Ordner ", rest)  # a KML placemark numbered in its folder
    return f"{ROW_KEYS_DE[key]} {rest}"


def field_text(field, lang: str = DEFAULT_LANGUAGE) -> str:
    """A finding's field: its name as typed in the data, with its words in German ('Fasern belegt
    (fibres_used)'); 'Geometrie' for the geometry."""
    if field is None:
        return ""
    if lang == "en":
        return str(field)
    label = column_label(str(field), lang)
    return label if field == "geometry" or label == field else f"{label} ({field})"


def problem_text(problem: Mapping, part: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """One `part` ('value', 'expected' or 'fix') of a finding (`Problem.to_dict()`) in `lang`."""
    text = problem.get(part)
    if lang == "en":
        return "nothing (empty)" if part == "value" and text is None else "" if text is None else str(text)
    if part == "value" and (text is None or text == ""):
        return VALUE_DE[None]
    return _worded(problem, part, "" if text is None else str(text))


PROBLEM_COLUMNS = ["severity", "layer", "rule", "row", "field", "value", "expected", "fix"]


def problem_rows(problems: Iterable[Mapping], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The findings as the Datenqualität table shows them in `lang`: severity, layer and rule as codes
    (the table shows them in words), row, field, found value, expected and fix as texts in `lang`."""
    rows = [{"severity": p.get("severity"), "layer": p.get("layer"), "rule": p.get("rule"),
             "row": row_text(p.get("row"), lang), "field": field_text(p.get("field"), lang),
             "value": problem_text(p, "value", lang), "expected": problem_text(p, "expected", lang),
             "fix": problem_text(p, "fix", lang)} for p in problems]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
