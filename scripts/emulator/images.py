"""The images jobs and models run, checked as SageMaker pulls them; the emulator then runs the local
Python in their place (no Docker).

AWS's own images (top-level repositories named sagemaker-*, in AWS's registries) are taken as given;
a tier repository is always <prefix>/<name>, so it is always checked. Any other
image must be in the emulator's ECR at its tag or digest, and a repository of another account must let
the role pull it: its repository policy allows ecr:BatchGetImage to the role, its account or anyone
(conditions are not evaluated). On AWS the same missing image fails the job with CannotPullContainerError.
"""
from __future__ import annotations

import json
import re

_URI = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[\w.-]+)|@(?P<digest>sha256:[0-9a-f]{64}))?")


class NotPullable(Exception):
    """Why an image cannot be pulled, in the words a job's failure reason or a model's error carries."""


def _pullers(policy: str | None) -> set[str]:
    found: set[str] = set()
    for statement in (json.loads(policy).get("Statement") if policy else None) or []:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") != "Allow" or not {"ecr:BatchGetImage", "ecr:*", "*"} & set(actions):
            continue
        principal = statement.get("Principal", {})
        named = principal.get("AWS", []) if isinstance(principal, dict) else principal
        found.update([named] if isinstance(named, str) else named)
    return found


def check(uri: str, role_arn: str | None, account: str) -> None:
    """Raises NotPullable unless `role_arn` (of `account`) could pull `uri`. Call with the server's lock held."""
    from moto.ecr.models import ecr_backends

    match = _URI.fullmatch(uri or "")
    if match is None:
        raise NotPullable(f"CannotPullContainerError: {uri!r} is not an ECR image URI")
    if match["repository"].startswith("sagemaker-"):
        return  # AWS's prebuilt images (top-level sagemaker-* repositories): the emulator runs the local Python in their place
    repository = ecr_backends[match["account"]][match["region"]].repositories.get(match["repository"])
    if repository is None:
        raise NotPullable(f"CannotPullContainerError: {uri}: repository {match['repository']} does not exist in account {match['account']}")
    reference = match["tag"] or match["digest"] or "latest"
    if not any(reference in image.image_tags or reference == image.image_digest for image in repository.images):
        raise NotPullable(f"CannotPullContainerError: {uri}: no image {reference} in {match['repository']}")
    if match["account"] != account:
        allowed = _pullers(repository.policy)
        if not allowed & {role_arn, f"arn:aws:iam::{account}:root", account, "*"}:
            raise NotPullable(f"CannotPullContainerError: {uri}: the repository policy of account {match['account']} does not let {role_arn} pull it")
