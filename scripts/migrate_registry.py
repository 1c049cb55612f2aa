#!/usr/bin/env python3
"""Move a model registry to another account: medium -> large, where the artifact account takes over.

    migrate_registry.py --from-tier medium --to-tier large --target aws     # ARNs from each tier's outputs
    migrate_registry.py --from-tier medium --to-tier large --target emulator   # both tiers applied on the emulator
    migrate_registry.py --source-group ARN --target-group ARN --target-bucket NAME
    (either: [--source-profile P] [--target-profile P] [--dry-run])

Every version of the source group, oldest first, is registered again in the target group (into an
empty group, and with no version deleted before, with the same numbers; `mlops:source-version`
records the old one). Descriptions, metrics and baselines, metadata (the pipeline execution that
produced it, which is its lineage, and the commit), customer metadata and the approval status stay
the same. The artifacts the version names (model data, metric and baseline reports) are copied to
the same keys in the target bucket, encrypted with its default key, and the new version names the
copies. Images are kept as they are: the target's serving roles must be able to pull them (README).

Idempotent and resumable: each migrated version carries `mlops:migrated-from` (the source version's
ARN) in its customer metadata and is created with a client token derived from it, so a re-run after
any interruption skips what is done, copies only objects missing or rewritten at the source since (each
copy records its source's ETag), and brings an approval status that changed since up to date. One run at
a time per target group (a lock file under build/state).

Hand-written: no maintained tool copies SageMaker model package groups across accounts.
"""
from __future__ import annotations

import argparse
import copy
import fcntl
import hashlib
import re
import subprocess
import sys
from typing import Any, Callable, Iterator

import tier

MARKER = "mlops:migrated-from"
SOURCE_ETAG = "mlops-source-etag"  # S3 metadata on each copied object: the source object it was made from
# What create_model_package takes from a described version as it is (the URIs inside are rewritten).
CARRIED = ("ModelPackageDescription", "InferenceSpecification", "ModelMetrics", "DriftCheckBaselines", "MetadataProperties",
           "Domain", "Task", "SamplePayloadUrl", "AdditionalInferenceSpecifications", "CustomerMetadataProperties", "SkipModelValidation")
# Of those, what points at the version's artifacts (copied, their URIs rewritten); the metadata properties
# only refer (the training-data prefix, the pipeline run) and move as they are.
ARTIFACTS = tuple(key for key in CARRIED if key not in ("MetadataProperties", "CustomerMetadataProperties"))
S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def group_name(arn: str) -> str:
    return arn.split("/")[-1]


def versions(sagemaker: Any, group: str) -> list[dict[str, Any]]:
    """Every version of a group, oldest first, described."""
    summaries = [s for page in sagemaker.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group) for s in page["ModelPackageSummaryList"]]
    summaries.sort(key=lambda s: s.get("ModelPackageVersion", 0))
    return [sagemaker.describe_model_package(ModelPackageName=s["ModelPackageArn"]) for s in summaries]


def s3_uris(value: Any) -> Iterator[str]:
    if isinstance(value, str) and S3_URI.match(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from s3_uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from s3_uris(item)


def rewritten(value: Any, move: Callable[[str], str]) -> Any:
    if isinstance(value, str) and S3_URI.match(value):
        return move(value)
    if isinstance(value, dict):
        return {key: rewritten(item, move) for key, item in value.items()}
    if isinstance(value, list):
        return [rewritten(item, move) for item in value]
    return value


def registration(source: dict[str, Any], target_group: str, target_bucket: str) -> dict[str, Any]:
    """create_model_package's arguments for the copy of one source version."""
    carried = {key: copy.deepcopy(source[key]) for key in CARRIED if key in source}
    moved = {key: rewritten(value, lambda uri: f"s3://{target_bucket}/{S3_URI.match(uri).group(2)}") if key in ARTIFACTS else value for key, value in carried.items()}
    moved["CustomerMetadataProperties"] = {**moved.get("CustomerMetadataProperties", {}), MARKER: source["ModelPackageArn"],
                                           "mlops:source-version": str(source.get("ModelPackageVersion", ""))}
    token = hashlib.sha256(source["ModelPackageArn"].encode()).hexdigest()[:36]
    return {**moved, "ModelPackageGroupName": target_group, "ModelApprovalStatus": source["ModelApprovalStatus"], "ClientToken": token}


def copy_object(source_s3: Any, target_s3: Any, uri: str, bucket: str, key_id: str | None) -> bool:
    """Copy one object to the same key of the target bucket unless the copy there was made from this very
    source object (its ETag, recorded on the copy: sizes alike prove nothing). True when copied."""
    source_bucket, key = S3_URI.match(uri).groups()
    head = source_s3.head_object(Bucket=source_bucket, Key=key)
    try:
        if target_s3.head_object(Bucket=bucket, Key=key).get("Metadata", {}).get(SOURCE_ETAG) == head["ETag"]:
            return False
    except target_s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
    body = source_s3.get_object(Bucket=source_bucket, Key=key)["Body"]
    extra = {"ServerSideEncryption": "aws:kms", **({"SSEKMSKeyId": key_id} if key_id else {}), "Metadata": {SOURCE_ETAG: head["ETag"]}}
    target_s3.upload_fileobj(body, bucket, key, ExtraArgs=extra)
    return True


def default_key(s3: Any, bucket: str) -> str | None:
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    return next((r["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID") for r in rules if "ApplyServerSideEncryptionByDefault" in r), None)


def migrate(source: Any, target: Any, source_group: str, target_group: str, target_bucket: str, dry_run: bool = False) -> dict[str, int]:
    """Copy every version of source_group into target_group (sessions of each account). Returns counts."""
    source_sm, target_sm, source_s3, target_s3 = source.client("sagemaker"), target.client("sagemaker"), source.client("s3"), target.client("s3")
    done = {v.get("CustomerMetadataProperties", {}).get(MARKER): v for v in versions(target_sm, group_name(target_group))}
    key_id = default_key(target_s3, target_bucket)
    counts = {"registered": 0, "already there": 0, "status updated": 0, "objects copied": 0}
    todo = versions(source_sm, group_name(source_group))
    say(f"{len(todo)} version(s) in {source_group}; {sum(1 for v in todo if v['ModelPackageArn'] in done)} already in {target_group}")
    for version in todo:
        arn, status = version["ModelPackageArn"], version["ModelApprovalStatus"]
        copied = done.get(arn)
        if dry_run:
            print(f"    would {'keep' if copied else 'register'} {arn} ({status})")
            continue
        for uri in sorted(set(s3_uris({k: version[k] for k in ARTIFACTS if k in version}))):
            counts["objects copied"] += copy_object(source_s3, target_s3, uri, target_bucket, key_id)
        if copied is None:
            new = target_sm.create_model_package(**registration(version, group_name(target_group), target_bucket))["ModelPackageArn"]
            counts["registered"] += 1
            print(f"    registered {arn} as {new} ({status})")
        else:
            counts["already there"] += 1
            if copied["ModelApprovalStatus"] != status:
                target_sm.update_model_package(ModelPackageArn=copied["ModelPackageArn"], ModelApprovalStatus=status)
                counts["status updated"] += 1
                print(f"    {copied['ModelPackageArn']}: {copied['ModelApprovalStatus']} -> {status}, as in {arn}")
    return counts


def lock(target_group: str) -> Any:
    path = tier.BUILD / "state" / f"migrate-{group_name(target_group)}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"error: another migration into {target_group} is running (lock {path})") from None
    return handle


def tier_outputs(name: str | None, target: str) -> dict[str, Any]:
    if name not in tier.TIERS:
        raise SystemExit(f"error: --from-tier and --to-tier name tiers ({', '.join(tier.TIERS)}), not {name!r}")
    try:
        return tier.outputs(name, target)
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"error: cannot read the {name} tier's outputs on {target} (apply it first): {error.stderr.strip()[-300:]}") from None


def emulator_account(group_arn: str) -> Any:
    """The emulated account that holds a group, through the role the tiers' runs assume there."""
    env, _ = tier.target_env("emulator")
    return tier.emulator_account(env, group_arn.split(":")[4])


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-tier", help="read --source-group from this tier's outputs (medium)")
    parser.add_argument("--to-tier", help="read --target-group and --target-bucket from this tier's outputs (large)")
    parser.add_argument("--target", choices=["emulator", "aws"], default="aws", help="where the tiers run: on the emulator each group's account is reached through the assumed role, profiles are not used")
    parser.add_argument("--source-group", help="ARN of the group to copy (medium: in the dev account)")
    parser.add_argument("--target-group", help="ARN of the group to fill (large: in the artifact account)")
    parser.add_argument("--target-bucket", help="the target account's model bucket (large: <prefix>-<artifact account>-<region>-models)")
    parser.add_argument("--source-profile", help="AWS profile of the source account (default: the environment's credentials)")
    parser.add_argument("--target-profile", help="AWS profile of the target account (default: the environment's credentials)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be registered, change nothing")
    args = parser.parse_args(argv)
    if args.from_tier or args.to_tier:
        source_outputs, target_outputs = tier_outputs(args.from_tier, args.target), tier_outputs(args.to_tier, args.target)
        args.source_group = args.source_group or source_outputs["model_package_group_arn"]
        args.target_group = args.target_group or target_outputs["model_package_group_arn"]
        args.target_bucket = args.target_bucket or target_outputs["model_bucket_name"]
    if not (args.source_group and args.target_group and args.target_bucket):
        parser.error("give --from-tier and --to-tier, or --source-group, --target-group and --target-bucket")
    for arn in (args.source_group, args.target_group):
        if not re.match(r"^arn:[\w-]+:sagemaker:[a-z0-9-]+:\d{12}:model-package-group/[A-Za-z0-9-]+$", arn):
            raise SystemExit(f"error: {arn!r} is not a model package group ARN")
    if args.target == "emulator":
        source, target = (emulator_account(arn) for arn in (args.source_group, args.target_group))
    else:
        source = boto3.Session(profile_name=args.source_profile, region_name=args.source_group.split(":")[3])
        target = boto3.Session(profile_name=args.target_profile, region_name=args.target_group.split(":")[3])
    held = lock(args.target_group)
    try:
        counts = migrate(source, target, args.source_group, args.target_group, args.target_bucket, args.dry_run)
    finally:
        held.close()
    say("migration " + ("listed (dry run)" if args.dry_run else "done") + ": " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
