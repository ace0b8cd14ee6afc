"""The Examples sections of the library's public docstrings run and give what they show (doctest).

Every module of `inventory`, `topology` and `coverage` whose docstrings hold an example (`>>>`) is run;
a wrong or stale example fails here instead of misleading a reader. The topology examples share the square
ring that `build_network`'s own example builds (its `network`), as their texts say.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for package in ("inventory", "topology", "coverage")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts and ">>>" in path.read_text(encoding="utf-8")
)


def test_the_library_has_examples():
    assert len(MODULES) >= 5, MODULES


def square_ring_network():
    """The `network` of `build_network`'s example, made by running that example."""
    import topology.network

    (test,) = doctest.DocTestFinder().find(topology.network.build_network, "build_network", globs=dict(vars(topology.network)))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, clear_globs=False)
    assert runner.failures == 0
    return test.globs["network"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that names a file must not write into the checkout
    module = importlib.import_module(name)
    globs = {"network": square_ring_network()} if name.startswith("topology.") else {}
    result = doctest.testmod(
        module, extraglobs=globs, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.attempted > 0, f"{name}: no example was run"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed (run it verbosely)"
