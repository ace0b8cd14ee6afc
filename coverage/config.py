"""Coverage configuration: every threshold in one place, changeable without editing code.

The defaults (`coverage/defaults.toml`) carry their sources; a user file overrides any subset.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEFAULTS = Path(__file__).with_name("defaults.toml")
ENV_CONFIG = "GELSENNET_COVERAGE_CONFIG"


@dataclass(frozen=True)
class StatusThresholds:
    gigabit_mbps: float
    require_symmetric: bool
    passed_m: float
    near_m: float


@dataclass(frozen=True)
class SchoolBenchmark:
    mbps_per_head: float
    staff_per_pupil: float


@dataclass(frozen=True)
class CoverageConfig:
    status: StatusThresholds
    schools: SchoolBenchmark
    source: str = str(DEFAULTS)


def _same_kind(default: Any, value: Any) -> bool:
    """Numbers for numbers (int or float), yes/no for yes/no."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float)
    return type(default) is type(value)


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if key not in base:
            raise ValueError(f"{where}: unknown key {key!r}; expected one of {', '.join(sorted(base))}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ValueError(f"{where}: {key!r} must be a table [{key}]")
            merged[key] = _merge(base[key], value, f"{where} [{key}]")
        elif not _same_kind(base[key], value):
            kind = "true or false" if isinstance(base[key], bool) else "a number"
            raise ValueError(f"{where}: {key} = {value!r}; expected {kind}, like the default {base[key]!r}")
        else:
            merged[key] = value
    return merged


def load_config(path: str | os.PathLike | None = None) -> CoverageConfig:
    """The defaults, overridden by `path`, else by $GELSENNET_COVERAGE_CONFIG when set."""
    with open(DEFAULTS, "rb") as handle:
        data = tomllib.load(handle)
    path = path or os.environ.get(ENV_CONFIG)
    if path:
        try:
            with open(path, "rb") as handle:
                data = _merge(data, tomllib.load(handle), str(path))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from exc
    status = StatusThresholds(**{f.name: data["status"][f.name] for f in fields(StatusThresholds)})
    if not 0 <= status.passed_m <= status.near_m:
        raise ValueError(f"{path or DEFAULTS}: need 0 <= passed_m <= near_m, got {status.passed_m} and {status.near_m}")
    schools = SchoolBenchmark(**{f.name: data["schools"][f.name] for f in fields(SchoolBenchmark)})
    return CoverageConfig(status=status, schools=schools, source=str(path or DEFAULTS))
