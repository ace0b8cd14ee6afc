"""Text encodings of input files: naming them, telling them from the bytes, and checking UTF-8 files.

A declared encoding that does not fit the bytes is refused clearly: the helpers here name an encoding
as users know it, score how plausibly bytes read in a code page and suggest the `--encoding` that fits.
GeoJSON is UTF-8 (RFC 8259, section 8.1) and so is a GeoPackage's text (GeoPackage 1.3, requirement 5):
`check_utf8_file` refuses other bytes with where they are and the encoding they look like. A Shapefile's
`.dbf` text is checked in `inventory.dbf_encoding`.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from inventory.problems import Problem

SINGLE_BYTE_CANDIDATES = ("cp1252", "cp850", "cp437", "iso8859_15", "cp1250")
"""Encodings tried, in this order of preference, for text that is not UTF-8 and declares none:
Windows (Western and Central Europe) and DOS (the dBASE tools' default) code pages."""

_COMMON_LETTERS = set("äöüÄÖÜß")
_NEUTRAL = set("€„“”‚‘’–—…°²³µ§·«»×±£©®")


def codec_name(name: str) -> str | None:
    """Python's canonical name for an encoding name ('UTF8' -> 'utf-8'), or None if unknown.

    Parameters
    ----------
    name : str
        An encoding name or alias as a user or a file writes it ('UTF8', 'latin-1', 'cp1252').

    Returns
    -------
    str or None
        The canonical name from `codecs.lookup`; None when Python knows no such encoding.

    Examples
    --------
    >>> codec_name("UTF8")
    'utf-8'
    >>> codec_name("no such code page") is None
    True
    """
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def parse_cpg(text: str) -> str | None:
    """Return the encoding a `.cpg` names, as a Python codec name, or None if it names none known.

    A `.cpg` holds a name ('UTF-8', 'ISO-8859-1', 'CP1252') or an ESRI code page number
    ('1252', 'ANSI 1252', '65001' for UTF-8, '88591' for ISO-8859-1), after ESRI's `.cpg` convention.

    Parameters
    ----------
    text : str
        The contents of the `.cpg` file; surrounding whitespace and NUL padding are ignored.

    Returns
    -------
    str or None
        The canonical Python codec name (see `codec_name`); None for an empty file or an unknown name.

    Examples
    --------
    >>> parse_cpg("ANSI 1252")
    'cp1252'
    >>> parse_cpg("65001")
    'utf-8'
    >>> parse_cpg("88591")
    'iso8859-1'
    """
    text = text.strip().strip("\x00").strip()
    if not text:
        return None
    upper = text.upper().removeprefix("ANSI").strip()
    if upper.isdigit():
        if upper == "65001":
            return "utf-8"
        if upper.startswith("8859") and len(upper) > 4:
            return codec_name(f"iso8859_{upper[4:]}")
        return codec_name(f"cp{upper}")
    return codec_name(text)


def display_name(encoding: str) -> str:
    """'utf-8-sig' -> 'UTF-8', 'cp1252' -> 'Windows-1252', 'cp850' -> 'CP850': how messages name one.

    Parameters
    ----------
    encoding : str
        An encoding name, canonical or not; an unknown one is shown as given, upper-cased.

    Returns
    -------
    str
        The name users know: 'Windows-125x' for the Windows code pages, 'ISO-8859-x', otherwise the
        canonical name upper-cased; a byte-order-mark suffix ('-sig') is dropped.

    Examples
    --------
    >>> display_name("utf-8-sig"), display_name("cp1252"), display_name("latin-1")
    ('UTF-8', 'Windows-1252', 'ISO-8859-1')
    """
    name = (codec_name(encoding) or encoding).removesuffix("-sig").removesuffix("_sig")
    if name.startswith("cp125"):
        return f"Windows-{name[2:]}"
    return name.replace("iso8859", "ISO-8859").replace("_", "-").upper()


def plausibility(text: str) -> int:
    """How much `text` reads like real (German or other European) text: higher is better.

    Umlauts and ß count most, other letters count, typographic marks are neutral, control
    and box-drawing characters count strongly against (they are what a wrong code page gives).

    Parameters
    ----------
    text : str
        Decoded text; ASCII characters are ignored (every candidate encoding reads them alike).

    Returns
    -------
    int
        The score: +2 per umlaut or ß, +1 per other letter, 0 per typographic mark (€, quotes, dashes,
        °, ...), -5 per control, format, private-use, unassigned or symbol character (box drawing),
        -1 per other character.

    Examples
    --------
    >>> plausibility("Grün"), plausibility("GrÃ¼n")
    (2, 0)
    """
    score = 0
    for ch in text:
        if ch.isascii():
            continue
        if ch in _COMMON_LETTERS:
            score += 2
        elif ch in _NEUTRAL:
            continue
        elif unicodedata.category(ch).startswith("L"):
            score += 1
        elif unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn", "Cs", "So"):
            score -= 5
        else:
            score -= 1
    return score


def best_single_byte(values: list[bytes], exclude: str | None = None) -> str | None:
    """Return the single-byte encoding (of SINGLE_BYTE_CANDIDATES) that reads `values` most plausibly.

    Parameters
    ----------
    values : list of bytes
        The raw text values (non-ASCII ones; ASCII bytes do not tell encodings apart).
    exclude : str, optional
        An encoding not to suggest (the one that was declared and failed).

    Returns
    -------
    str or None
        The candidate that decodes every value with the highest positive total `plausibility`, the
        earlier in SINGLE_BYTE_CANDIDATES on a tie; None when none decodes them all or none gives a
        plausible reading (a score above 0).

    Examples
    --------
    >>> best_single_byte(["Straße".encode("cp850")])
    'cp850'
    """
    best, best_score = None, 0
    for encoding in SINGLE_BYTE_CANDIDATES:
        if exclude and codec_name(exclude) == codec_name(encoding):
            continue
        try:
            score = sum(plausibility(value.decode(encoding)) for value in values)
        except UnicodeDecodeError:
            continue
        if score > best_score:
            best, best_score = encoding, score
    return best


def is_utf8(values: list[bytes]) -> bool:
    """Tell whether every value is valid UTF-8 (non-ASCII values: so multibyte sequences are present).

    Parameters
    ----------
    values : list of bytes
        Raw text values, as `inventory.dbf_encoding.DbfText.raw` gives them.

    Returns
    -------
    bool
        True when each value decodes as UTF-8 (also for an empty list).

    Examples
    --------
    >>> is_utf8(["Straße".encode("utf-8")]), is_utf8(["Straße".encode("cp1252")])
    (True, False)
    """
    try:
        for value in values:
            value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def byte_in(byte: int, encoding: str | None) -> str:
    """Return the note " ('ü' in CP1252)" for a byte, or "" when `encoding` gives no character for it.

    Parameters
    ----------
    byte : int
        The byte's value, 0 to 255.
    encoding : str or None
        The encoding to read the byte in (a suggested one); None gives "".

    Returns
    -------
    str
        The note to append to a message, with a leading space; "" when there is no encoding or the byte
        is undefined in it.

    Examples
    --------
    >>> byte_in(0xFC, "cp1252")
    " ('ü' in Windows-1252)"
    """
    if encoding is None:
        return ""
    try:
        return f" ({bytes([byte]).decode(encoding)!r} in {display_name(encoding)})"
    except UnicodeDecodeError:
        return ""


def byte_params(byte: int, encoding: str | None) -> dict[str, object]:
    """Return a byte and what it reads as, as a problem's params (the values of `byte_in`'s note).

    Parameters
    ----------
    byte : int
        The byte's value, 0 to 255.
    encoding : str or None
        The encoding to read the byte in (a suggested one); None gives no character.

    Returns
    -------
    dict
        `byte` (the value), `char` (the character it reads as, quoted as `repr` quotes it; None when there is
        no encoding or the byte is undefined in it) and `char_encoding` (the encoding's `display_name`, None
        without a character).

    Examples
    --------
    >>> byte_params(0xFC, "cp1252")
    {'byte': 252, 'char': "'ü'", 'char_encoding': 'Windows-1252'}
    """
    try:
        char = None if encoding is None else repr(bytes([byte]).decode(encoding))
    except UnicodeDecodeError:
        char = None
    return {"byte": byte, "char": char, "char_encoding": display_name(encoding) if char else None}


def suggestion(values: list[bytes], exclude: str | None = None) -> str:
    """Return the encoding to suggest for bytes that did not decode: UTF-8 if they are, else the best code page.

    Parameters
    ----------
    values : list of bytes
        The raw text values that the declared encoding did not decode.
    exclude : str, optional
        The declared encoding, not to be suggested again.

    Returns
    -------
    str
        'utf-8' when every value is UTF-8 (and UTF-8 is not excluded), else `best_single_byte`'s choice,
        else 'latin-1' (which decodes any byte).

    Examples
    --------
    >>> suggestion(["Straße".encode("utf-8")]), suggestion(["Straße".encode("cp1252")])
    ('utf-8', 'cp1252')
    """
    if (exclude is None or codec_name(exclude) != "utf-8") and is_utf8(values):
        return "utf-8"
    return best_single_byte(values, exclude=exclude) or "latin-1"


# ---------------------------------------------------------------- UTF-8 files (GeoJSON)
def check_utf8_file(path: Path, layer: str, expected: str) -> Problem | None:
    """Return a problem naming the line and byte of the first bytes that are not UTF-8, else None.

    Reads the file in chunks of 1 MiB (memory stays small for any size). A GeoJSON must be UTF-8
    (RFC 8259, section 8.1).

    Parameters
    ----------
    path : pathlib.Path
        The file to check (a GeoJSON).
    layer : str
        The inventory layer the file is imported into (for the problem).
    expected : str
        What the problem says was expected, e.g. 'UTF-8 text, as every GeoJSON is (RFC 8259)'.

    Returns
    -------
    Problem or None
        An error (rule 'encoding') with the line, the byte offset and value, and the `--encoding` that
        the bytes around it look like; None when the whole file is UTF-8.

    Raises
    ------
    OSError
        When the file cannot be opened or read.
    """
    carry, base, lines = b"", 0, 1  # base: file offset of carry + chunk
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(1 << 20)
            data = carry + chunk
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as exc:
                unfinished = exc.reason == "unexpected end of data" and len(data) - exc.start < 4
                if not (unfinished and chunk):
                    bad = base + exc.start
                    lines += data.count(b"\n", 0, exc.start)
                    break
                carry = data[exc.start :]
                data = data[: exc.start]
            if not chunk:
                return None
            lines += data.count(b"\n")
            base += len(data)
        handle.seek(max(bad - 40, 0))
        around = handle.read(80)
        handle.seek(bad)
        byte = handle.read(1)[0]
    suggested = suggestion([around], exclude="utf-8")
    return Problem(
        "encoding",
        layer,
        expected,
        row=f"line {lines}",
        value=f"byte 0x{byte:02x}{byte_in(byte, suggested)} at byte {bad} of the file",
        fix=f"save the file as UTF-8 (e.g. ogr2ogr -f GeoJSON out.geojson {path.name}), or pass --encoding {suggested}",
        file=str(path),
        params={"variant": "utf8_file", **byte_params(byte, suggested), "position": bad, "suggested": suggested,
                "file_name": path.name},
    )
