"""Helpers over IAM policy documents as written in plans (string or list values, any case)."""
from __future__ import annotations

from typing import Any, Iterator


def listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    if document:
        yield from listify(document.get("Statement"))


def principals(statement: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) pairs: ("*", "*"), ("AWS", arn), ("Service", name), ..."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if principal == "*":
        return [("*", "*")]
    return [(kind, value) for kind, values in principal.items() for value in listify(values)]


def condition_keys(statement: dict[str, Any]) -> set[str]:
    return {key.lower() for block in (statement.get("Condition") or {}).values() for key in block}


def account_of_arn(arn: str) -> str | None:
    parts = arn.split(":")
    if len(parts) >= 5 and parts[4].isdigit():
        return parts[4]
    if len(arn) == 12 and arn.isdigit():
        return arn
    return None
