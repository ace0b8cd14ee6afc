"""Character rules for identifiers and text: Unicode normalisation, invisible and control characters.

Identifiers (a layer's key, reference fields, trench ids) are compared as text, so two ids that
look alike must be the same string: ids are stored in Unicode NFC, and an id is refused when it
holds characters nobody can see or type (controls, format characters such as zero-width spaces
and bidi controls, line separators, whitespace other than the plain space) or when its
compatibility form (NFKC) differs (full-width `Ｓ1`, ligatures, superscripts): the NFKC form is
the fix. `compatibility_key` gives that form for comparing a new id with stored ones.

Text fields may not hold control characters (C0 including tab and line breaks, DEL, C1), line
or paragraph separators, or the bidi embedding/override/isolate controls: they reorder or
hide text on screens and terminals. The choice on line breaks: an address or name is one line
in every listing, report and CSV row the tool writes, and a line break in one could forge a
line of a report, so a line break is refused with the fix to write it as ", ".
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
"""Unicode categories an identifier may not contain: controls, format (zero-width, bidi), separators,
private use, surrogates, unassigned."""

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidi embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI)."""

_C0_NAMES = {
    0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x09: "TAB", 0x0A: "LF, a line break", 0x0B: "VT", 0x0C: "FF",
    0x0D: "CR, a line break", 0x1B: "ESC", 0x7F: "DEL",
}  # fmt: skip


def code_point(ch: str) -> str:
    r"""`U+001B (ESC)`, `U+200B (ZERO WIDTH SPACE)`: a character named for a message.

    Parameters
    ----------
    ch : str
        One character.

    Returns
    -------
    str
        The code point as `U+XXXX`, followed by its name in parentheses: the C0 abbreviation (with "a line
        break" for LF and CR), the Unicode name, or "a C1 control"/"a control character" for unnamed
        controls; no parentheses when Unicode gives no name.

    Raises
    ------
    TypeError
        When `ch` is not a single character (from `ord`).

    Examples
    --------
    >>> code_point("\x1b")
    'U+001B (ESC)'
    >>> code_point("\u200b")
    'U+200B (ZERO WIDTH SPACE)'
    """
    number = ord(ch)
    name = _C0_NAMES.get(number) or unicodedata.name(ch, "")
    if not name and 0x80 <= number <= 0x9F:
        name = "a C1 control"
    elif not name and unicodedata.category(ch) == "Cc":
        name = "a control character"
    return f"U+{number:04X}" + (f" ({name})" if name else "")


def normalise_id(text: str) -> str:
    r"""Return the identifier in Unicode NFC (composed: `ü` as one code point), as ids are stored.

    Parameters
    ----------
    text : str
        An identifier as read from a file or typed.

    Returns
    -------
    str
        The same identifier in NFC; unchanged when it already is.

    Examples
    --------
    >>> len(normalise_id("u\u0308"))
    1
    """
    return unicodedata.normalize("NFC", text)


def compatibility_key(identifier: str) -> str:
    r"""Return the NFKC form of an id: ids equal under it look alike (`Ｓ1` and `S1`) and must not both exist.

    Parameters
    ----------
    identifier : str
        An identifier (already NFC, as stored).

    Returns
    -------
    str
        Its NFKC form, the key to compare a new id with stored ones; an id whose key differs from itself is
        refused with the key as the fix.

    Examples
    --------
    >>> compatibility_key("\uff331")
    'S1'
    """
    return unicodedata.normalize("NFKC", identifier)


def invisible_in_id(text: str) -> tuple[int, str] | None:
    r"""(position from 1, character) of the first character an id may not hold, or None.

    Refused are the `INVISIBLE_CATEGORIES` (controls, format characters, separators, private use,
    surrogates, unassigned) and any whitespace other than the plain space U+0020.

    Parameters
    ----------
    text : str
        An identifier.

    Returns
    -------
    tuple of (int, str) or None
        The 1-based position and the character of the first refused character; None when there is none.

    Examples
    --------
    >>> invisible_in_id("S\u200b1")
    (2, '\u200b')
    >>> invisible_in_id("S 1") is None
    True
    """
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in INVISIBLE_CATEGORIES or (ch.isspace() and ch != " "):
            return i + 1, ch
    return None


_TEXT_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Categories Cc (C0, DEL, C1), Zl and Zp (U+2028, U+2029) and BIDI_CONTROLS, as one pattern (fast on long text)."""


def control_in_text(text: str) -> tuple[int, str] | None:
    r"""(position from 1, character) of the first control character a text field may not hold, or None.

    Refused are C0 controls (tab and line breaks included), DEL, C1 controls, the line and paragraph
    separators U+2028/U+2029 and the `BIDI_CONTROLS`; the module docstring says why line breaks are.

    Parameters
    ----------
    text : str
        The value of a text field (a name, an address, a note).

    Returns
    -------
    tuple of (int, str) or None
        The 1-based position and the character of the first refused character; None when there is none.

    Examples
    --------
    >>> control_in_text("Hauptstr. 1\nGelsenkirchen")
    (12, '\n')
    """
    match = _TEXT_CONTROL.search(text)
    return (match.start() + 1, match.group()) if match else None
