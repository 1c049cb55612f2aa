"""The guardrails: each rule has an ID, a title, a rationale with its source, and a remedy.

A rule gets one plan (a whole tier: every account) and returns its violations. Rules judge planned
values; values that are unknown until apply count as set only where they reference a resource the
plan creates (a key ARN, a subnet ID). Policy documents must be known: what the suite cannot
evaluate is itself a violation (MLOPS-016), unless policies/not-evaluated.yaml gives the reason.

The rules live by concern: separation.py (who may do what, along every path), organization.py,
storage.py, serving.py, platform.py. MLOPS-016 runs last: the others record what they could not read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from policy.model import Model
from policy.plan import Plan, Resource


@dataclass(frozen=True)
class Violation:
    rule: str
    title: str
    plan: str
    address: str
    message: str
    remedy: str


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    rationale: str
    source: str
    remedy: str
    check: Callable[[Model], Iterator[tuple[str, str]]]


RULES: list[Rule] = []


def rule(id: str, title: str, rationale: str, source: str, remedy: str, check: Callable[[Model], Iterator[tuple[str, str]]]) -> Rule:
    """Registers a check, written after it rather than as a decorator: mutmut (`make mutation`) skips
    decorated functions, and the checks are what mutation testing must reach."""
    registered = Rule(id, title, rationale, source, remedy, check)
    RULES.append(registered)
    return registered


def is_set(resource: Resource, *path: Any) -> bool:
    """Configured: a non-empty known value, or a value known only after apply (a reference)."""
    return bool(resource.get(*path)) or resource.is_unknown(*path)


def evaluate(plan: Plan, only: set[str] | None = None) -> list[Violation]:
    """Violations of every rule, in both views of the plan (resource_changes and planned_values)."""
    found: set[Violation] = set()
    for view in filter(None, (plan, plan.planned_view)):
        model = Model(view)
        for r in sorted(RULES, key=lambda r: r.id == "MLOPS-016"):  # MLOPS-016 reports what the others could not read
            if only and r.id not in only:
                continue
            for address, message in r.check(model):
                found.add(Violation(r.id, r.title, plan.name, address, message, r.remedy))
    return sorted(found, key=lambda v: (v.rule, v.address, v.message))


from policy.rules import organization, platform, separation, serving, storage  # noqa: E402,F401  (registers the rules)
