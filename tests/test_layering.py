"""Work flows one way: inventory → topology → coverage → app_pages (docs/design.md, "Layers of the code").

Every module of the three library packages is parsed with `ast` (every import statement, also those inside
functions and under TYPE_CHECKING, since each is a dependency a reader follows), and no module may import a
package later in the order than its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ("inventory", "topology", "coverage", "app_pages")
"""The packages in the order work flows; `app.py` and the notebooks sit above them all."""


def imported_packages(node: ast.AST) -> list[str]:
    """The top-level package of each module an import statement names (relative imports stay in the package
    and name none)."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module.split(".")[0]]
    return []


def violations(package: str) -> list[str]:
    """'path:line: import statement (package may not import ...)' for each import of a later package."""
    later = set(ORDER[ORDER.index(package) + 1:])
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source, filename=str(path))):
            named = later.intersection(imported_packages(node))
            if named:
                line = ast.get_source_segment(source, node) or ""
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {' '.join(line.split())}  "
                             f"({package} may not import {', '.join(sorted(named))})")
    return found


def test_the_library_packages_exist_and_hold_modules():
    for package in ORDER:
        assert any((ROOT / package).rglob("*.py")), package


def test_no_library_module_imports_a_later_package():
    found = [line for package in ORDER[:-1] for line in violations(package)]
    assert not found, "imports against the order inventory → topology → coverage → app_pages:\n" + "\n".join(found)


def test_the_check_sees_imports_inside_functions_and_ignores_relative_ones():
    tree = ast.parse("def f():\n    from app_pages.i18n import t\n    import coverage.layers as layers\n"
                     "    from . import sibling\n    from .coverage import x\n")
    assert sorted(p for node in ast.walk(tree) for p in imported_packages(node)) == ["app_pages", "coverage"]
