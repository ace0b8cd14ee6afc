"""The data-quality report of `gelsennet validate`, as text and as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from inventory.problems import Problem
from inventory.stores.base import Store
from inventory.validation import check_layers

MAX_LISTED_PER_RULE = 25


@dataclass
class ValidationReport:
    """What `gelsennet validate` found in a store: the row counts per layer and every problem."""

    store: str
    counts: dict[str, int]
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity 'error' (they block an import)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity 'warning'."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def notes(self) -> list[Problem]:
        """Findings for review only (severity 'info'), e.g. crossings without a junction."""
        return [p for p in self.problems if p.severity == "info"]

    def by_rule(self) -> Counter:
        """How many problems per (severity, layer, rule)."""
        return Counter((p.severity, p.layer, p.rule) for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready values: counts, a summary per rule and every problem."""
        return {
            "store": self.store,
            "counts": self.counts,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "notes": len(self.notes),
            "summary": [
                {"severity": s, "layer": layer, "rule": rule, "count": n}
                for (s, layer, rule), n in sorted(self.by_rule().items())
            ],
            "problems": [p.to_dict() for p in self.problems],
        }

    def to_text(self) -> str:
        """Return the report as text for the terminal, at most `MAX_LISTED_PER_RULE` problems listed per rule."""
        lines = [f"Data-quality report for {self.store}"]
        lines.append("  " + ", ".join(f"{name}: {n}" for name, n in self.counts.items()))
        lines.append(
            f"  {len(self.errors)} error(s), {len(self.warnings)} warning(s), {len(self.notes)} note(s) for review"
        )
        if not self.problems:
            lines.append("  No problems found.")
            return "\n".join(lines)
        listed: Counter = Counter()
        for (severity, layer, rule), n in sorted(self.by_rule().items()):
            lines.append(f"\n{severity.upper()} {layer}/{rule}: {n}")
            for p in self.problems:
                if (p.severity, p.layer, p.rule) != (severity, layer, rule):
                    continue
                listed[(severity, layer, rule)] += 1
                if listed[(severity, layer, rule)] > MAX_LISTED_PER_RULE:
                    lines.append(f"  ... and {n - MAX_LISTED_PER_RULE} more (all of them with --json)")
                    break
                lines.append(f"  {p}")
        return "\n".join(lines)


def validation_report(store: Store) -> ValidationReport:
    """Check every layer of `store` against the schema rules, plausibility warnings and plugged-in checks.

    Packages add checks through the `gelsennet.checks` entry point: a function taking the
    layers and returning problems (the topology checks come this way). They run only when the schema
    checks found no error, as they assume schema-valid layers.

    Parameters
    ----------
    store : inventory.stores.base.Store
        The store to check; every layer is read.

    Returns
    -------
    ValidationReport
        The store's location, the record count per layer, and every problem found.

    Raises
    ------
    StoreError
        When the store cannot be read.
    """
    frames = store.read_all()
    problems = check_layers(frames)
    if not any(p.severity == "error" for p in problems):  # other checks assume schema-valid layers
        for plugin in entry_points(group="gelsennet.checks"):
            problems += plugin.load()(frames)
    return ValidationReport(store=str(store.url), counts={k: len(v) for k, v in frames.items()}, problems=problems)
