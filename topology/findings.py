"""The findings of the topology build and checks: a warning about a geometry, with its rule's parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inventory.problems import Problem


def geometry_finding(
    rule: str,
    layer: str,
    row: str | None,
    *,
    expected: str,
    value: Any,
    fix: str,
    params: Mapping[str, Any],
    severity: str = "warning",
) -> Problem:
    """Return a finding about the geometry of one row of a layer.

    Parameters
    ----------
    rule, layer, row
        The rule's code, the layer ('routes', 'nodes', 'sites') and the row's label ('route_id R17').
    expected, value, fix
        The English texts of the finding (the CLI's words).
    params
        The values those texts are made of, by name (`Problem.params`): what a translation words them from.
    severity
        'warning' unless the finding blocks ('error') or is for review only ('info').

    Returns
    -------
    Problem
        The finding, its field 'geometry'.
    """
    return Problem(rule, layer, expected, row=row, field="geometry", value=value, fix=fix, severity=severity,
                   params=params)
