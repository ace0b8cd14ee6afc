"""The named errors of the coverage package, in one module that imports nothing of the project.

The model is osmnx's `_errors.py` and networkx's `exception.py`: callers catch a class by its name
(`except ConfigError:` to report a bad configuration file, `except CoverageError:` for any of them), and any
module of the package can raise one without importing another. Every class is a `ValueError`, so callers
that catch `ValueError` (the CLI's usage errors) keep working.
"""

from __future__ import annotations

from collections.abc import Iterable


class CoverageError(ValueError):
    """A coverage question that cannot be answered as asked: a bad configuration, scenario or input."""


class ConfigError(CoverageError):
    """A coverage configuration (`coverage.config.load_config`) that cannot be used.

    Parameters
    ----------
    message : str
        The file, the key, the value, and what was expected.
    source : str
        The configuration file (the user's, or `coverage/defaults.toml`).
    key : str, optional
        The key at fault, as written in the file (e.g. 'passed_m', 'status'); None when the file as a whole
        is at fault (not valid TOML).
    """

    def __init__(self, message: str, *, source: str, key: str | None = None) -> None:
        super().__init__(message)
        self.source, self.key = source, key


class ScenarioError(CoverageError):
    """A scenario that cannot be read: a bad name, an unknown part, a missing file."""


class NotWithDegradedError(CoverageError):
    """A criticality table without the degraded columns.

    Raised when a function that needs `Analysis.criticality_with_degraded()` is given `Analysis.criticality`.
    """


class InvalidPointsError(CoverageError):
    """Points that cannot be premises (`coverage.premises.premises_status`).

    Parameters
    ----------
    message : str
        What is wrong, how many points and where.
    reason : str
        'shape' (an array not of shape (n, 2)), 'not_finite' (NaN or inf), 'not_point' (missing, empty or
        non-point geometries) or 'crs' (points in another CRS than the routes); attribute `reason`.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class NoCoverError(CoverageError):
    """Sites that no proposal covers, so no selection of proposals covers them all.

    Parameters
    ----------
    missing : iterable of str
        The sites no proposal covers (attribute `missing`, a tuple).
    """

    def __init__(self, missing: Iterable[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(f"no proposal covers {', '.join(self.missing)}")
