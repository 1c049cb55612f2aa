"""AWS managed policies, from an offline, pinned snapshot: the one moto ships.

Why moto's copy: it is a maintained, dated dump of every AWS managed policy document (its release
process refreshes it from IAM), moto is already pinned in requirements.lock, and nothing else on PyPI
carries the documents. The snapshot's date (the newest UpdateDate in it) is printed with each run.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _snapshot() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


@lru_cache(maxsize=1)
def snapshot_label() -> str:
    from importlib.metadata import version

    newest = max((p.get("UpdateDate") or "" for p in _snapshot().values()), default="")
    return f"AWS managed policies: moto {version('moto')} snapshot of {len(_snapshot())} documents, newest {newest[:10]}"


def is_aws_managed(arn: str) -> bool:
    return ":iam::aws:policy/" in arn


def document(arn: str) -> dict[str, Any] | None:
    """The default version's document of an AWS managed policy ARN, or None when the snapshot lacks it."""
    if not is_aws_managed(arn):
        return None
    path, _, name = arn.split(":policy", 1)[1].rpartition("/")
    found = _snapshot().get(name)
    if found is None or found.get("Path", "/") != f"{path}/":
        return None
    return found["Document"]
