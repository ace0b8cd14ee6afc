"""No module of the four packages is longer than `MAX_LINES`: a file that grows past it does more than one job.

Alembic's migrations are exempt: each is generated whole and never edited once released.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("inventory", "topology", "coverage", "app_pages")
EXEMPT = (ROOT / "inventory" / "migrations",)
MAX_LINES = 600


def modules() -> list[Path]:
    found = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    return [path for path in found if not any(path.is_relative_to(folder) for folder in EXEMPT)]


def test_the_packages_have_modules():
    names = {path.relative_to(ROOT).as_posix() for path in modules()}
    assert {"inventory/importer.py", "topology/__init__.py", "coverage/__init__.py", "app_pages/__init__.py"} <= names
    assert not any(name.startswith("inventory/migrations/") for name in names)


def test_no_module_is_over_the_limit():
    lengths = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
               for path in modules()}
    over = {name: n for name, n in sorted(lengths.items()) if n > MAX_LINES}
    assert not over, (
        f"modules over {MAX_LINES} lines: {over}; split each along its own seams into modules that do one job"
    )
