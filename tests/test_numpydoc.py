"""The public API of the library packages passes numpydoc's own validator (`numpydoc.validate`).

Every public function and every class with its own `__init__` of `inventory`, `topology` and `coverage`
(migrations aside) documents each parameter, what it returns, in numpydoc sections (ruff's `D` rules check the
layout; this checks the content against the signature). Dataclasses and named tuples document their fields
one by one with attribute docstrings instead.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest
from numpydoc.validate import validate

PACKAGES = ("inventory", "topology", "coverage")
CHECKS = {
    "GL08": "no docstring",
    "PR01": "a parameter not documented",
    "PR02": "a documented parameter the signature lacks",
    "PR07": "a parameter without description",
    "RT01": "no Returns section though it returns a value",
    "RT03": "a return value without description",
}


def public_objects() -> list[str]:
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        modules = [package] + [info.name for info in pkgutil.walk_packages(root.__path__, package + ".")]
        for module_name in modules:
            if ".migrations" in module_name:
                continue
            module = importlib.import_module(module_name)
            for name, obj in vars(module).items():
                if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                    continue
                if inspect.isfunction(obj) or (
                    inspect.isclass(obj) and not dataclasses.is_dataclass(obj) and "__init__" in vars(obj)
                ):
                    names.append(f"{module_name}.{name}")
    return sorted(names)


PUBLIC = public_objects()


def test_the_public_api_is_found():
    assert len(PUBLIC) > 300
    assert "topology.network.build_network" in PUBLIC and "topology.whatif.what_if" in PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_numpydoc_sections(name):
    found = [f"{code} ({CHECKS[code]}): {message}" for code, message in validate(name)["errors"] if code in CHECKS]
    assert not found, f"{name}:\n" + "\n".join(found)
