"""Labels of the app in German (default) and English, and number formatting per language.

The texts themselves live per page or area in `app_pages/texts/`; this module joins them (`LABELS`, `COLUMNS`)
and serves them (`t`, `column_label`, `value_label`, ...)."""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import string

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from app_pages.texts import columns, editing, frame, inventory, network, overview, school
from inventory.vocabulary import LEGEND, PAIR_KINDS, RULES, VALUES

LANGUAGES = {"de": "Deutsch", "en": "English"}
DEFAULT_LANGUAGE = "de"
LOCALES = {"de": "de_DE", "en": "en_GB"}
"""The Babel (CLDR) locale of each language: its number format."""



def join_label_tables(*tables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """One table of labels from several; a key two tables word differently raises ValueError (none is lost)."""
    joined: dict[str, tuple[str, str]] = {}
    for table in tables:
        for key, words in table.items():
            if joined.setdefault(key, words) != words:
                raise ValueError(f"label {key!r} is worded twice: {joined[key]} and {words}; keep one")
    return joined


LABELS: dict[str, tuple[str, str]] = join_label_tables(
    frame.LABELS, overview.LABELS, school.LABELS, network.LABELS, editing.LABELS, inventory.LABELS,
    LEGEND,  # legend labels the QGIS styles share (`inventory.vocabulary`)
)
"""Every label: key -> (German, English); the tables live per page in `app_pages/texts/`."""


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The label `key` in `lang` ('de' or 'en'), with `values` filled in."""
    text = LABELS[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def fmt(value, decimals: int = 0, lang: str = DEFAULT_LANGUAGE, grouping: bool = True) -> str:
    """A number as the language writes it (Babel, CLDR data): 1.234,5 in German, 1,234.5 in English, with
    `decimals` places (rounded half to even); without `grouping` no thousands separator (years,
    coordinates); '–' for a missing value."""
    if value is None or isinstance(value, bool):
        return "–" if value is None else str(value)
    try:
        if value != value:  # NaN, pandas NA and friends
            return "–"
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isinf(number):
        return "–"
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern, locale=LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE]))


def fmt_share(share, lang: str = DEFAULT_LANGUAGE) -> str:
    """A share 0..1 as a percentage with one decimal."""
    return "–" if share is None or share != share else f"{fmt(100 * float(share), 1, lang)} %"


YES_NO = {True: ("ja", "yes"), False: ("nein", "no")}
CITY_NAME: tuple[str, str] = ("Stadt gesamt", "Whole city")
"""The whole-city row's name (`coverage.kpis.CITY_ID`); the library names it in German."""
NEW_LINK = re.compile(r"^NEW (?P<ends>.+)$")
"""A proposed link's id from `coverage.ring_closure` ('NEW BE-1–BE-2')."""
# Decimals of a measure by its column's unit suffix; columns without one are counts (whole when whole).
DECIMALS_BY_SUFFIX = (("_per_km2", 2), ("cost_per_pupil_eur", 2), ("_per_million_eur", 1),
                      ("_per_thousand_eur", 1), ("_m2", 0), ("_eur", 0), ("_mbps", 0), ("_km", 1), ("_m", 1))


def _whole_number(column: str) -> bool:
    return column == "year" or column.endswith("_year")


def cell_text(column: str, value, lang: str = DEFAULT_LANGUAGE) -> str:
    """A table cell of `column` as shown in `lang`: '–' where missing; yes/no; dates as the language writes
    them; shares as percentages; enumerations (status, kind, connection, ...) in words (`value_label`);
    years without a thousands separator; measures with the decimals of their unit (`DECIMALS_BY_SUFFIX`:
    m 1, m² 0, € 0, per km² 2), counts whole; other text as it is."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return YES_NO[bool(value)][1 if lang == "en" else 0]
    if isinstance(value, str):
        return value_label(column, value, lang)
    if isinstance(value, dt.date | np.datetime64):
        return date_text(value, lang)
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(cell_text(column, v, lang) for v in value)
    if not isinstance(value, numbers.Real):
        return str(value)
    if column.startswith("share_"):
        return fmt_share(value, lang)
    if _whole_number(column):
        return fmt(value, 0, lang, grouping=False)
    for suffix, decimals in DECIMALS_BY_SUFFIX:
        if column.endswith(suffix):
            return fmt(value, decimals, lang)
    whole = isinstance(value, numbers.Integral) or float(value).is_integer()
    return fmt(value, 0 if whole else 1, lang)


def date_text(value, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as the language writes it: 01.09.2019 in German, 2019-09-01 in English; '–' where missing."""
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d" if lang == "en" else "%d.%m.%Y")


def page_marker(page: str, lang: str = "de") -> str:
    """A text the page `page` (a key of `app_pages.registry`) shows at its end (without placeholders)."""
    from app_pages.registry import page as page_entry

    label = t(page_entry(page).marker, lang)
    return label.split("{")[-1].split("}")[-1].strip() or label


COLUMNS: dict[str, tuple[str, str]] = columns.COLUMNS
"""Column headers: column -> (German, English), from `app_pages/texts/columns.py`."""


def rule_label(rule: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A validation rule in words in `lang`; a rule without words keeps its code."""
    labels = RULES.get(rule)
    return rule if labels is None else labels[1 if lang == "en" else 0]


def pair_kind_label(kind: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A kind of 'possibly one trench' pair in words in `lang`."""
    labels = PAIR_KINDS.get(kind)
    return kind if labels is None else labels[1 if lang == "en" else 0]


def value_label(column: str, value: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A text cell of `column` in `lang`: an enumerated code in words (`VALUES`), a proposed link ('NEW a–b')
    as new, the whole city by its name; other text as it is."""
    labels = VALUES.get(column, {}).get(value)
    if labels is not None:
        return labels[1 if lang == "en" else 0]
    if column == "name" and value == CITY_NAME[0]:
        return CITY_NAME[1 if lang == "en" else 0]
    if column == "link_id" and (new := NEW_LINK.match(value)):
        return t("link.new", lang, ends=new["ends"])
    return value


def column_label(column: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The header of a table column in `lang`; unknown columns keep their name."""
    labels = COLUMNS.get(column)
    return column if labels is None else labels[1 if lang == "en" else 0]


_MARKDOWN_SPECIAL = re.compile(f"([{re.escape(string.punctuation)}])")
_AUTOLINK_START = re.compile(r"(https?|ftp|mailto|xmpp|www)(?=[:.])", re.IGNORECASE)
WORD_JOINER = "\u2060"
"""An invisible character that joins, put where GitHub's autolinks would start: 'http⁠://', 'www⁠.', '⁠@'."""


def plain(text) -> str:
    """`text` (data from the store, a visitor's input, an id, a library message) for any Streamlit element that
    renders Markdown (st.markdown, headers, captions, alerts, widget labels), shown there literally.

    Every ASCII punctuation character is backslash-escaped: CommonMark lets any of them be escaped and shows
    it as itself, so no link, image, emphasis, heading, list, table, HTML tag or entity (&amp;) can form,
    nor Streamlit's extensions: LaTeX ($), `:color[...]`, `:material/...:` and emoji shortcodes (:) .
    GitHub's autolinks are found in the text *after* escapes are resolved, so a bare 'http://...', 'www.'
    or e-mail address would still become a link: an invisible WORD JOINER (U+2060) after 'http', 'https',
    'ftp', 'mailto', 'xmpp', 'www' and before '@' stops that (it shows nothing; a copy of the text carries
    it). Letters, digits, spaces and other non-ASCII text are kept as they are. Not for st.html (use
    html.escape) nor for plain-text elements (st.text, st.code, dataframes, widget options), which would
    show the backslashes. tests/test_browser.py checks the result in Chromium."""
    text = _AUTOLINK_START.sub(rf"\1{WORD_JOINER}", str(text)).replace("@", f"{WORD_JOINER}@")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def code_span(text) -> str:
    """`text` as an inline code span in Streamlit's Markdown, shown literally in a monospace font: the fence is
    longer than any run of backticks in it, and the blanks inside the fence are taken off again (CommonMark)."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"
