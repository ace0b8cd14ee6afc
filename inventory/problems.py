"""Problems found in data: one record per finding, collected, never raised one at a time."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One data-quality finding: where it is, what was found, what was expected, how to fix it."""

    rule: str
    layer: str
    expected: str
    row: str | None = None
    """Human row label: 'line 12' of a CSV, 'feature 3' of a GeoJSON, 'route_id R17' in a store."""
    field: str | None = None
    value: Any = None
    fix: str = ""
    file: str | None = None
    severity: str = "error"
    params: Mapping[str, Any] = dataclass_field(default_factory=dict, hash=False)  # `field` names a field above
    """The values the rule's texts are made of (ids, metres, shares, coordinates, field names), by name, as
    numbers where they are numbers, JSON-ready (numpy numbers become Python's, tuples lists): what a
    translation renders its own text from (`rule` names the text). A `variant` entry names which of a rule's
    texts the finding has, where it has more than one."""

    def __post_init__(self) -> None:
        """Keep a JSON-ready copy of `params` (the caller's mapping stays the caller's)."""
        params = {str(name): _json_param(value) for name, value in self.params.items()}
        object.__setattr__(self, "params", params)  # a copy: the caller's mapping stays the caller's

    def __str__(self) -> str:
        """Return the problem as one line: `[severity] where: field: found value, expected ... . Fix: ...`."""
        where = ": ".join(p for p in (self.file, self.layer if not self.file else None, self.row) if p)
        what = f"field '{self.field}'" if self.field else "record"
        found = _short(self.value)
        text = f"{where}: {what}: found {found}, expected {self.expected}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return f"[{self.severity}] {text}"

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as JSON-ready values, with its message as `str(self)` writes it."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["value"] = _jsonable(self.value)
        d["params"] = dict(self.params)
        d["message"] = str(self)
        return d


def _short(value: Any, limit: int = 160) -> str:
    """Return the value as shown in a message.

    Text is quoted (cut short inside its quotes, so they stay balanced), anything else is shown as text.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nothing (empty)"
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[: limit - 3] + "...")
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    return str(value)


def _json_param(value: Any) -> Any:
    """Return a parameter as a JSON value: numbers as numbers (numpy's too), lists as lists, the rest as text."""
    if isinstance(value, list | tuple):
        return [_json_param(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    return _jsonable(value)


def sort_key(problem: Problem) -> tuple:
    """File order: problems without a row first, then by row number.

    Parameters
    ----------
    problem : Problem
        The problem; the digits of its row label (e.g. "feature 12 part 2" gives 122) are its row number.

    Returns
    -------
    tuple
        (file or "", layer, row number or -1), for `sorted(..., key=sort_key)`.
    """
    digits = "".join(ch for ch in (problem.row or "") if ch.isdigit())
    return (problem.file or "", problem.layer, int(digits) if problem.row and digits else -1)


class DataError(Exception):
    """Raised with every problem at once when data cannot be accepted.

    Parameters
    ----------
    problems : list of Problem
        Every problem found; those of severity "error" become `problems` (in file order, `sort_key`), the
        others `warnings`.
    summary : str, default ""
        The message's first line; when empty, the number of problems and that nothing was changed.
    """

    def __init__(self, problems: list[Problem], *, summary: str = "") -> None:
        """Keep the errors (in file order) and the warnings apart; the message lists every error."""
        self.problems = sorted((p for p in problems if p.severity == "error"), key=sort_key)
        self.warnings = [p for p in problems if p.severity != "error"]
        n = len(self.problems)
        head = summary or f"{n} problem{'s' if n != 1 else ''} found; nothing was changed"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in self.problems))
