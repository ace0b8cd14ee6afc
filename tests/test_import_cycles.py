"""No import cycles among the project's packages (issue 18): each module can be read, tested and moved on
its own only if nothing it imports imports it back.

grimp builds the graph of every import statement in `inventory`, `topology`, `coverage` and `app_pages`
(those inside functions too: a lazy import is still a dependency; `if TYPE_CHECKING:` ones are not), and
networkx finds its strongly connected components: any component of two or more modules holds a cycle.
"""

from __future__ import annotations

import grimp
import networkx as nx
import pytest

PACKAGES = ("inventory", "topology", "coverage", "app_pages")
KNOWN_CYCLES: set[frozenset[str]] = set()
"""Cycles not yet broken. Each must still exist (else the test says to remove it here); no other may appear."""


@pytest.fixture(scope="module")
def import_graph() -> nx.DiGraph:
    imports = grimp.build_graph(*PACKAGES, cache_dir=None, exclude_type_checking_imports=True)
    graph = nx.DiGraph()
    for module in imports.modules:
        graph.add_node(module)
        graph.add_edges_from((module, imported) for imported in imports.find_modules_directly_imported_by(module))
    return graph


def cycles(graph: nx.DiGraph) -> set[frozenset[str]]:
    return {frozenset(part) for part in nx.strongly_connected_components(graph) if len(part) > 1}


def test_no_import_cycle_among_the_packages(import_graph):
    found = cycles(import_graph)
    new = found - KNOWN_CYCLES
    shown = [" → ".join(sorted(part)) for part in new]
    assert not new, f"import cycles: {shown}; move what both need into a module that imports neither"
    gone = KNOWN_CYCLES - found
    assert not gone, f"no longer a cycle, remove it from KNOWN_CYCLES: {[sorted(part) for part in gone]}"


def test_the_check_sees_a_cycle_and_a_lazy_import():
    """The detector itself: a cycle closed by an import inside a function is found; a chain is not a cycle."""
    graph = nx.DiGraph([("inventory.a", "inventory.b"), ("inventory.b", "inventory.c")])
    assert cycles(graph) == set()
    graph.add_edge("inventory.c", "inventory.a")
    assert cycles(graph) == {frozenset({"inventory.a", "inventory.b", "inventory.c"})}


def test_the_graph_holds_the_lazy_imports(import_graph):
    """An import inside a function counts (here `inventory.postgis.upgrade` importing `inventory.roles`)."""
    assert import_graph.has_edge("inventory.postgis", "inventory.roles")
    assert import_graph.has_edge("app_pages.serve", "app_pages.maps")
