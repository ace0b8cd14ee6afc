"""The named errors of the topology, in one module that imports nothing of the project.

The model is osmnx's `_errors.py` and networkx's `exception.py`: callers catch a class by its name
(`except UnknownElementError:` to ask for other ids, `except TopologyError:` for any of them), and any module
of the package can raise one without importing another. Every class is a `ValueError`, so callers that
catch `ValueError` (the CLI's usage errors) keep working. Each carries what was wrong as attributes, and its
message names the value, what was expected and, where there is one, the fix.
"""

from __future__ import annotations

from collections.abc import Iterable


class TopologyError(ValueError):
    """A question the network cannot answer as asked: an unknown id, scenario or CRS, a bad parameter."""


class UnknownElementError(TopologyError):
    """Ids that name no element of the network (or of a layer given with it).

    Parameters
    ----------
    message : str
        What was asked, the unknown ids and the fix.
    unknown : dict of str to iterable of str
        The unknown ids by kind: 'segment' (a route id of `Failure.segments`), 'node' (a node id or
        junction label), 'trench', 'site'.

    Attributes
    ----------
    unknown : dict of str to tuple of str
        The unknown ids by kind, in the order given.
    kind : str
        The kind of the unknown ids; 'element' when they are of several kinds.
    values : tuple of str
        Every unknown id, kind after kind.
    """

    def __init__(self, message: str, *, unknown: dict[str, Iterable[str]]) -> None:
        super().__init__(message)
        self.unknown = {kind: tuple(ids) for kind, ids in unknown.items() if ids}
        self.kind = next(iter(self.unknown)) if len(self.unknown) == 1 else "element"
        self.values = tuple(value for ids in self.unknown.values() for value in ids)


class UnknownScenarioError(TopologyError):
    """A scenario name the network does not know.

    Parameters
    ----------
    scenario : str
        The name given.
    expected : iterable of str
        The scenarios known.
    """

    def __init__(self, scenario: str, expected: Iterable[str]) -> None:
        self.scenario, self.expected = scenario, tuple(expected)
        super().__init__(f"unknown scenario {scenario!r}; expected one of {', '.join(self.expected)}")


class CRSMismatchError(TopologyError):
    """A layer in another CRS than the one the network is built in.

    Parameters
    ----------
    layer : str
        The layer ('routes', 'nodes', 'sites').
    found, expected : str
        Its CRS and the one expected (EPSG:25832).
    """

    def __init__(self, layer: str, found: str, expected: str) -> None:
        self.layer, self.found, self.expected = layer, found, expected
        super().__init__(f"{layer} are in {found}, expected {expected}: reproject with .to_crs('{expected}')")


class MissingCRSError(TopologyError):
    """Geometries without a CRS where one is needed (a NetworkX graph, an area file).

    Parameters
    ----------
    message : str
        What has no CRS, what was expected and the fix.
    source : str
        What the geometries came from: the area file's path, or 'graph' for a NetworkX graph without
        ``G.graph['crs']`` (attribute `source`).
    """

    def __init__(self, message: str, *, source: str) -> None:
        super().__init__(message)
        self.source = source


class InvalidParameterError(TopologyError):
    """A parameter outside its range.

    Parameters
    ----------
    message : str
        The parameter, the value given and the range expected.
    name : str
        The parameter's name, e.g. 'top' (attribute `name`).
    value : object
        The value given (attribute `value`).
    """

    def __init__(self, message: str, *, name: str, value: object) -> None:
        super().__init__(message)
        self.name, self.value = name, value


class InvalidFailureError(InvalidParameterError):
    """A failure that cannot fail anything.

    An area that is not a valid, non-empty polygon, or a radius that is not positive. `name` is 'area' or
    'radius_m', `value` the value given.
    """


class PointNotOnNetwork(TopologyError):
    """A point that cannot be a place on the network (`topology.whatif.locate_point`).

    Each parameter is kept as the attribute of the same name.

    Parameters
    ----------
    message : str
        The value, what was expected and the fix; `str()` of the error.
    reason : str
        'not_finite' (NaN or inf), 'outside' (off the city and too far from every route), 'lat_lon'
        (latitude, longitude given) or 'swapped' (Y,X given).
    value : tuple of (float, float)
        The (x, y) given.
    distance_m : float, optional
        Its distance to the nearest route, metres; None when unknown (no routes, or not measured).
    suggestion : tuple of (float, float), optional
        The (x, y) in EPSG:25832 metres it probably means, when one reading lands on the network; else None.
    """

    def __init__(self, message: str, *, reason: str, value: tuple[float, float], distance_m: float | None = None,
                 suggestion: tuple[float, float] | None = None) -> None:
        super().__init__(message)
        self.reason, self.value, self.distance_m, self.suggestion = reason, value, distance_m, suggestion
