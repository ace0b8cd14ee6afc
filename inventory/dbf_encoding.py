"""The text encoding of a Shapefile's `.dbf`: which one its bytes are in, checked before GDAL decodes them.

The encoding comes from `--encoding`, else the `.cpg`, else the `.dbf` header's language driver id
(LDID), else nothing at all (GDAL then assumes ISO-8859-1). The bytes of every text field are checked
against it: UTF-8 text in a `.dbf` without `.cpg` is read as UTF-8 (with a warning), a `.cpg` that does
not fit the bytes is refused with the row, field, byte and the `--encoding` that does.

Sources: dBASE file structure (header, field descriptors, LDID at byte 29); ESRI's `.cpg`
convention (a code page name or number); GDAL's Shapefile driver documentation (SHAPE_ENCODING).
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass, field
from pathlib import Path

from inventory.encodings import (
    best_single_byte,
    byte_in,
    byte_params,
    codec_name,
    display_name,
    is_utf8,
    parse_cpg,
    suggestion,
)
from inventory.problems import Problem

LDID_ENCODINGS = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x08: "cp865",
    0x09: "cp437",
    0x0A: "cp850",
    0x0B: "cp437",
    0x0D: "cp437",
    0x0E: "cp850",
    0x0F: "cp437",
    0x10: "cp850",
    0x11: "cp437",
    0x12: "cp850",
    0x13: "cp932",
    0x14: "cp850",
    0x15: "cp437",
    0x16: "cp850",
    0x17: "cp865",
    0x18: "cp437",
    0x19: "cp437",
    0x1A: "cp850",
    0x1B: "cp437",
    0x1C: "cp863",
    0x1D: "cp850",
    0x1F: "cp852",
    0x22: "cp852",
    0x23: "cp852",
    0x24: "cp860",
    0x25: "cp850",
    0x26: "cp866",
    0x37: "cp850",
    0x40: "cp852",
    0x4D: "cp936",
    0x4E: "cp949",
    0x4F: "cp950",
    0x50: "cp874",
    0x57: "cp1252",
    0x58: "cp1252",
    0x59: "cp1252",
    0x64: "cp852",
    0x65: "cp866",
    0x66: "cp865",
    0x67: "cp861",
    0x6A: "cp737",
    0x6B: "cp857",
    0x78: "cp950",
    0x79: "cp949",
    0x7A: "cp936",
    0x7B: "cp932",
    0x7C: "cp874",
    0x7D: "cp1255",
    0x7E: "cp1256",
    0x86: "cp737",
    0x87: "cp852",
    0x88: "cp857",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
    0xCC: "cp1257",
}
"""dBASE language driver ids (byte 29 of a .dbf header) and their code pages (0 means none)."""


@dataclass
class DbfText:
    """The non-ASCII text of a .dbf: LDID byte and (row label, field, raw bytes) of each value."""

    ldid: int
    values: list[tuple[str, str, bytes]] = field(default_factory=list)
    """Non-ASCII values: ('feature 3', field name, bytes without padding). Field names that are
    not ASCII are listed with the row label 'field names'."""

    def raw(self) -> list[bytes]:
        """Return the raw bytes of every non-ASCII value, in file order."""
        return [value for _, _, value in self.values]


def read_dbf_text(dbf: Path) -> DbfText | None:
    """Return the LDID and the non-ASCII character-field values of a .dbf, or None if it is not one.

    Rows are numbered as GDAL numbers features: deleted records are skipped. The file is
    mapped, not read, and records are only split when the file holds non-ASCII bytes at all. The layout
    is the dBASE file structure: a 32-byte header (record count at bytes 4-7, header length at 8-9,
    record length at 10-11, LDID at 29), then 32-byte field descriptors up to 0x0D.

    Parameters
    ----------
    dbf : pathlib.Path
        The `.dbf` file of a Shapefile.

    Returns
    -------
    DbfText or None
        The LDID and each non-ASCII value of a character field as ('feature n', field name, bytes without
        padding), plus non-ASCII field names (row label 'field names'); None when the file is shorter than
        a dBASE header.

    Raises
    ------
    OSError
        When the file cannot be opened or read.
    """
    with open(dbf, "rb") as handle:
        header = handle.read(32)
        if len(header) < 32:
            return None
        records = int.from_bytes(header[4:8], "little")
        header_length = int.from_bytes(header[8:10], "little")
        record_length = int.from_bytes(header[10:12], "little")
        ldid = header[29]
        descriptors = handle.read(max(header_length - 32, 0))
        text = DbfText(ldid)
        fields: list[tuple[str, int, int, bool]] = []  # (name, offset, length, is text)
        offset = 1  # the deletion flag
        for start in range(0, len(descriptors) - 31, 32):
            descriptor = descriptors[start : start + 32]
            if descriptor[0] == 0x0D:
                break
            raw_name = descriptor[:11].split(b"\x00", 1)[0]
            name = raw_name.decode("latin-1")
            if not raw_name.isascii():
                text.values.append(("field names", name, raw_name))
            length = descriptor[16]
            if descriptor[11:12] == b"C":
                length += descriptor[17] << 8  # long character fields (length in two bytes)
            fields.append((name, offset, length, descriptor[11:12] == b"C"))
            offset += length
        if record_length <= 0 or records <= 0:
            return text
        try:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return text
    with mapped:
        end = min(len(mapped), header_length + records * record_length)
        chunk = 1 << 24
        if all(mapped[pos : min(pos + chunk, end)].isascii() for pos in range(header_length, end, chunk)):
            return text
        text_fields = [(name, off, length) for name, off, length, is_text in fields if is_text]
        number = 0
        for pos in range(header_length, end - record_length + 1, record_length):
            record = mapped[pos : pos + record_length]
            if record[:1] == b"*":
                continue
            number += 1
            if record.isascii():
                continue
            for name, off, length in text_fields:
                value = record[off : off + length].rstrip(b" \x00")
                if not value.isascii():
                    text.values.append((f"feature {number}", name, value))
    return text


def _first_failure(values: list[tuple[str, str, bytes]], encoding: str) -> tuple[int, int, int] | None:
    """(index of the value, offset of the bad byte, values failing) for bytes `encoding` cannot decode."""
    first, failing = None, 0
    for i, (_, _, value) in enumerate(values):
        try:
            value.decode(encoding)
        except UnicodeDecodeError as exc:
            failing += 1
            if first is None:
                first = (i, exc.start)
    return None if first is None else (*first, failing)


def _decoding_problem(
    shp: Path,
    layer: str,
    dbf: DbfText,
    encoding: str,
    failure: tuple[int, int, int],
    expected: str,
    fix: str,
    params: dict,
) -> Problem:
    index, offset, failing = failure
    row, name, value = dbf.values[index]
    byte = value[offset]
    more = f" ({failing} values have such bytes)" if failing > 1 else ""
    suggested = suggestion(dbf.raw(), exclude=encoding)
    return Problem(
        "encoding",
        layer,
        expected,
        row=None if row == "field names" else row,
        field=name,
        value=f"byte 0x{byte:02x}{byte_in(byte, suggested)} in {value.decode(suggested, 'replace')!r}",
        fix=fix.format(suggested=suggested) + more,
        file=str(shp),
        params={**params, "encoding": display_name(encoding), **byte_params(byte, suggested),
                "text": repr(value.decode(suggested, "replace")), "suggested": suggested,
                "failing": failing if failing > 1 else None},
    )


def shapefile_encoding(
    shp: Path, dbf: Path, cpg: Path | None, layer: str, user_encoding: str | None
) -> tuple[str | None, list[Problem]]:
    """Return the encoding to read a Shapefile's text with, and problems (errors refuse the file).

    - `user_encoding` (from --encoding) wins over the .cpg; bytes it cannot decode are refused.
    - A .cpg whose encoding cannot decode the bytes, or that names a single-byte code page for
      bytes that are UTF-8, is refused with the row, field, byte and the --encoding that fits.
    - Without .cpg: UTF-8 bytes are read as UTF-8; otherwise the LDID's code page (refused when it cannot
      decode the bytes, no warning when it can); otherwise the most plausible of `SINGLE_BYTE_CANDIDATES`
      (refused when none reads them). The UTF-8 and the plausibility guesses come with a warning that
      shows a value.

    Parameters
    ----------
    shp : pathlib.Path
        The `.shp` file, named in the problems.
    dbf : pathlib.Path
        Its `.dbf` file, whose text is checked.
    cpg : pathlib.Path or None
        Its `.cpg` file, None when there is none.
    layer : str
        The inventory layer the file is imported into (for the problems).
    user_encoding : str or None
        The encoding passed with `--encoding`, None when none was.

    Returns
    -------
    encoding : str or None
        The codec name to read the text with; `user_encoding` (None when not given) when the text is
        ASCII or the `.dbf` is no dBASE file, so any encoding reads it alike; None when an error refuses
        the file.
    problems : list of Problem
        Errors (rule 'encoding': unknown `--encoding` or `.cpg` name, bytes that --encoding, the `.cpg` or
        the LDID's code page cannot decode, UTF-8 bytes under a single-byte `.cpg`, bytes no candidate code
        page reads) or one warning (rule `GUESS_RULE`) when the encoding was told from the bytes; empty
        otherwise.

    Raises
    ------
    OSError
        When the `.dbf` or the `.cpg` cannot be read.
    """
    text = read_dbf_text(dbf)
    if user_encoding is not None and codec_name(user_encoding) is None:
        return None, [
            Problem(
                "encoding",
                layer,
                "a known encoding like utf-8, cp1252 or cp850",
                field="encoding",
                value=user_encoding,
                fix="correct --encoding",
                file=str(shp),
                params={"variant": "unknown", "encoding": user_encoding},
            )
        ]
    if text is None or not text.values:
        return user_encoding, []
    values = text.raw()
    if user_encoding is not None:
        failure = _first_failure(text.values, user_encoding)
        if failure is None:
            return user_encoding, []
        return None, [
            _decoding_problem(
                shp,
                layer,
                text,
                user_encoding,
                failure,
                f"text in {display_name(user_encoding)}, as --encoding says",
                "pass --encoding {suggested}",
                {"variant": "dbf_bytes_option"},
            )
        ]
    if cpg is not None:
        declared = parse_cpg(cpg.read_text(encoding="latin-1"))
        if declared is None:
            return None, [
                Problem(
                    "encoding",
                    layer,
                    "a .cpg naming a known encoding (e.g. UTF-8 or 1252)",
                    field="encoding",
                    value=cpg.read_text(encoding="latin-1").strip()[:40],
                    fix=f"pass --encoding {suggestion(values)} (it overrides the .cpg), or correct {cpg.name}",
                    file=str(shp),
                    params={"variant": "cpg_unknown", "suggested": suggestion(values), "cpg": cpg.name},
                )
            ]
        failure = _first_failure(text.values, declared)
        if failure is not None:
            return None, [
                _decoding_problem(
                    shp,
                    layer,
                    text,
                    declared,
                    failure,
                    f"text in {display_name(declared)}, as {cpg.name} says",
                    f"pass --encoding {{suggested}} (it overrides the .cpg), or correct {cpg.name}",
                    {"variant": "dbf_bytes_cpg", "cpg": cpg.name},
                )
            ]
        if declared != "utf-8" and is_utf8(values):
            row, name, value = text.values[0]
            return None, [
                Problem(
                    "encoding",
                    layer,
                    f"text in {display_name(declared)}, as {cpg.name} says",
                    row=None if row == "field names" else row,
                    field=name,
                    value=(
                        f"UTF-8 text: {value.decode('utf-8')!r} would read as "
                        f"{value.decode(declared, 'replace')!r} in {display_name(declared)}"
                    ),
                    fix=f"pass --encoding utf-8 (it overrides the .cpg), or correct {cpg.name} to UTF-8",
                    file=str(shp),
                    params={"variant": "cpg_utf8", "encoding": display_name(declared), "cpg": cpg.name,
                            "text": repr(value.decode("utf-8")), "misread": repr(value.decode(declared, "replace"))},
                )
            ]
        return declared, []
    row, name, value = text.values[0]
    if is_utf8(values):
        return "utf-8", [_guess_warning(shp, layer, "utf-8", "its bytes are valid UTF-8", text.values[0])]
    ldid = LDID_ENCODINGS.get(text.ldid)
    if ldid is not None:
        failure = _first_failure(text.values, ldid)
        if failure is None:
            return ldid, []
        return None, [
            _decoding_problem(
                shp,
                layer,
                text,
                ldid,
                failure,
                f"text in {display_name(ldid)}, as the .dbf header says (language driver 0x{text.ldid:02x})",
                "pass --encoding {suggested}",
                {"variant": "dbf_bytes_ldid", "ldid": text.ldid},
            )
        ]
    guess = best_single_byte(values)
    if guess is None:
        return None, [
            Problem(
                "encoding",
                layer,
                f"a .cpg next to {shp.name} naming the encoding of the text",
                row=None if row == "field names" else row,
                field=name,
                value=f"bytes {value!r} that read as no known encoding",
                fix="pass --encoding with the encoding the file was written in",
                file=str(shp),
                params={"variant": "dbf_no_guess", "shp": shp.name, "bytes": repr(value)},
            )
        ]
    return guess, [_guess_warning(shp, layer, guess, "its bytes read most plausibly so", text.values[0])]


GUESS_RULE = "encoding_guessed"
"""The rule of the warning given when a Shapefile's encoding was told from its bytes."""


def _guess_warning(
    shp: Path, layer: str, encoding: str, why: str, example: tuple[str, str, bytes]
) -> Problem:
    row, name, value = example
    return Problem(
        GUESS_RULE,
        layer,
        f"a .cpg naming the encoding of the text; without one it was read as {display_name(encoding)}, as {why}",
        row=None if row == "field names" else row,
        field=name,
        value=value.decode(encoding),
        fix=f"if the text reads wrong, pass --encoding (e.g. cp1252 or cp850); "
        f"to silence this, add {shp.with_suffix('.cpg').name} holding {display_name(encoding)}",
        file=str(shp),
        severity="warning",
        params={"encoding": display_name(encoding), "utf8": encoding == "utf-8",
                "cpg": shp.with_suffix(".cpg").name},
    )
