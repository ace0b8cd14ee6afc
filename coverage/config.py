"""Coverage configuration: every threshold in one place, changeable without editing code.

The defaults (`coverage/defaults.toml`) carry their sources; a user file overrides any subset.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from coverage.errors import ConfigError

DEFAULTS = Path(__file__).with_name("defaults.toml")
ENV_CONFIG = "GELSENNET_COVERAGE_CONFIG"


@dataclass(frozen=True)
class StatusThresholds:
    """The thresholds of the site status (`coverage.status`), from `[status]` in `coverage/defaults.toml`.

    `gigabit_mbps` (Mbit/s, EU Gigabit Society target) and `require_symmetric` make a connection gigabit;
    `passed_m` (metres, the Bundesnetzagentur's homes-passed rule) and `near_m` (metres, the FCC's longest
    drop, 500 ft) separate passed, near and gap for sites not yet connected.
    """

    gigabit_mbps: float
    require_symmetric: bool
    passed_m: float
    near_m: float


@dataclass(frozen=True)
class SchoolBenchmark:
    """The school bandwidth benchmark, from `[schools]` in `coverage/defaults.toml`.

    `mbps_per_head` Mbit/s per pupil or staff member (FCC school target: 1 Gbit/s per 1,000);
    `staff_per_pupil` (about one adult per 10 pupils) counts staff where only pupils are known.
    """

    mbps_per_head: float
    staff_per_pupil: float


@dataclass(frozen=True)
class CostTable:
    """How new route is priced: the one home of that rule (expansion plan, ring closures, plan variants).

    A straight line becomes `detour_factor` times as much route (streets are not straight); a route along
    its drawn path (a planned or candidate route's own geometry) is taken as drawn. A metre costs
    `eur_per_m` of the construction method; a point estimate uses `default_method`, a range the cheapest
    and dearest of `range_methods`. Lengths in metres (floats or numpy arrays, not negative; NaN stays NaN),
    costs in euros. The values and their sources are in `coverage/defaults.toml`.
    """

    detour_factor: float
    building_connection_eur: float
    default_method: str
    range_methods: tuple[str, ...]
    eur_per_m: dict[str, float]

    def route_m(self, length_m):
        """Metres of new route for a straight line of `length_m` metres (times the detour factor)."""
        return length_m * self.detour_factor

    def route_eur(self, length_m, method: str | None = None):
        """Cost of new route for a straight line of `length_m` (the detour factor is applied here)."""
        return self.laid_eur(self.route_m(length_m), method)

    def laid_eur(self, route_m, method: str | None = None):
        """Return the cost of `route_m` metres of route along its drawn path, by `method`.

        A planned or candidate route's own geometry follows the streets, so no detour factor applies.
        `method` defaults to `default_method`.
        """
        return route_m * self.eur_per_m[method or self.default_method]

    def laid_range_eur(self, route_m):
        """Return (low, high): the cost of `route_m` metres of route by the cheapest and the dearest method.

        The methods are `range_methods`; for lengths not below 0, low and high are the least and the most any of
        them costs.
        """
        prices = [self.eur_per_m[method] for method in self.range_methods]
        return route_m * min(prices), route_m * max(prices)


@dataclass(frozen=True)
class RingClosure:
    """The search for ring closures (`coverage.ring_closure`), from `[ring_closure]` in `coverage/defaults.toml`.

    `max_link_m`: the longest new link tried (straight line, metres); `candidates_per_site`: how many of the
    shortest candidate links are tried per single-homed site.
    """

    max_link_m: float
    candidates_per_site: int


@dataclass(frozen=True)
class Target:
    """The coverage target: `share_schools_gigabit` (0..1) of the schools on gigabit by the end of `year`."""

    year: int
    share_schools_gigabit: float


@dataclass(frozen=True)
class CoverageConfig:
    """Every number the coverage stage uses; `source` names the TOML file they came from."""

    status: StatusThresholds
    schools: SchoolBenchmark
    cost: CostTable
    ring_closure: RingClosure
    target: Target
    source: str = str(DEFAULTS)


def _same_kind(default: Any, value: Any) -> bool:
    """Numbers for numbers (int or float), yes/no for yes/no."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return type(default) is type(value)


def _merge(base: dict[str, Any], override: dict[str, Any], where: str, source: str | None = None) -> dict[str, Any]:
    source = source or where
    merged = dict(base)
    for key, value in override.items():
        if key not in base:
            raise ConfigError(f"{where}: unknown key {key!r}; expected one of {', '.join(sorted(base))}",
                              source=source, key=key)
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: {key!r} must be a table [{key}]", source=source, key=key)
            merged[key] = _merge(base[key], value, f"{where} [{key}]", source)
        elif not _same_kind(base[key], value):
            kind = {bool: "true or false", list: "a list of names", str: "a name"}.get(type(base[key]), "a number")
            raise ConfigError(f"{where}: {key} = {value!r}; expected {kind}, like the default {base[key]!r}",
                              source=source, key=key)
        else:
            merged[key] = value
    return merged


def _check_ranges(schools: SchoolBenchmark, cost: CostTable, ring: RingClosure, status: StatusThresholds,
                  source: str) -> None:
    """Raise one ConfigError naming every number outside the range it can mean something in."""
    rules = [
        ("gigabit_mbps", status.gigabit_mbps, status.gigabit_mbps > 0, "a bandwidth above 0"),
        ("mbps_per_head", schools.mbps_per_head, schools.mbps_per_head > 0, "a bandwidth above 0"),
        ("staff_per_pupil", schools.staff_per_pupil, schools.staff_per_pupil >= 0, "0 or more"),
        ("detour_factor", cost.detour_factor, cost.detour_factor >= 1, "1 or more (a route is never shorter "
         "than the straight line)"),
        ("building_connection_eur", cost.building_connection_eur, cost.building_connection_eur >= 0, "0 € or more"),
        *((f"eur_per_m.{method}", price, price >= 0, "0 € or more") for method, price in cost.eur_per_m.items()),
        ("max_link_m", ring.max_link_m, ring.max_link_m > 0, "a length above 0 m"),
        ("candidates_per_site", ring.candidates_per_site, ring.candidates_per_site >= 1, "1 or more"),
    ]
    wrong = [(key, value, expected) for key, value, ok, expected in rules if not ok]
    if wrong:
        raise ConfigError(f"{source}: " + "; ".join(f"{key} = {value!r}, expected {expected}"
                                                    for key, value, expected in wrong),
                          source=source, key=wrong[0][0])


def load_config(path: str | os.PathLike | None = None) -> CoverageConfig:
    """Load the defaults, overridden by `path`, else by $GELSENNET_COVERAGE_CONFIG when set.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A TOML file with any of the defaults' keys (`coverage/defaults.toml`).

    Returns
    -------
    CoverageConfig
        The thresholds, costs and target in force.

    Raises
    ------
    coverage.errors.ConfigError
        Naming the file and the key, for a file that is not valid TOML, an unknown key, a value not of the
        default's kind, or values that contradict each other.
    """
    with open(DEFAULTS, "rb") as handle:
        data = tomllib.load(handle)
    path = path or os.environ.get(ENV_CONFIG)
    if path:
        try:
            with open(path, "rb") as handle:
                data = _merge(data, tomllib.load(handle), str(path))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})", source=str(path)) from exc
    status = StatusThresholds(**{f.name: data["status"][f.name] for f in fields(StatusThresholds)})
    if not 0 <= status.passed_m <= status.near_m:
        raise ConfigError(f"{path or DEFAULTS}: need 0 <= passed_m <= near_m, got {status.passed_m} and "
                          f"{status.near_m}", source=str(path or DEFAULTS), key="passed_m")
    schools = SchoolBenchmark(**{f.name: data["schools"][f.name] for f in fields(SchoolBenchmark)})
    cost_data = data["cost"]
    methods = cost_data["eur_per_m"]
    unknown = [m for m in [cost_data["default_method"], *cost_data["range_methods"]] if m not in methods]
    if unknown:
        raise ConfigError(f"{path or DEFAULTS}: method(s) {', '.join(map(repr, unknown))} have no price in "
                          f"[cost.eur_per_m] ({', '.join(methods)})", source=str(path or DEFAULTS), key="eur_per_m")
    cost = CostTable(
        detour_factor=cost_data["detour_factor"],
        building_connection_eur=cost_data["building_connection_eur"],
        default_method=cost_data["default_method"],
        range_methods=tuple(cost_data["range_methods"]),
        eur_per_m=dict(methods),
    )
    ring = RingClosure(**{f.name: data["ring_closure"][f.name] for f in fields(RingClosure)})
    _check_ranges(schools, cost, ring, status, str(path or DEFAULTS))
    target = Target(year=int(data["target"]["year"]),
                    share_schools_gigabit=float(data["target"]["share_schools_gigabit"]))
    if not 0 <= target.share_schools_gigabit <= 1:
        raise ConfigError(f"{path or DEFAULTS}: [target] share_schools_gigabit = {target.share_schools_gigabit}; "
                          "expected a share from 0 to 1 (1.0 for every school)", source=str(path or DEFAULTS),
                          key="share_schools_gigabit")
    return CoverageConfig(status=status, schools=schools, cost=cost, ring_closure=ring, target=target,
                          source=str(path or DEFAULTS))
