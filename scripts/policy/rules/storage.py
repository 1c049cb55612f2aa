"""Buckets, keys and repositories."""
from __future__ import annotations

from typing import Iterator

from policy.documents import principals, statements
from policy.iam import Principal, authorized
from policy.model import FULL_ACCESS, Model
from policy.plan import Resource
from policy.rules import rule


def buckets(model: Model) -> Iterator[tuple[str, str]]:
    by_bucket: dict[str, dict[str, Resource]] = {}
    for r in model.plan.resources:
        if r.type.startswith("aws_s3_bucket"):
            name, _ = model.value(r, "bucket")
            by_bucket.setdefault(f"{r.account_id}/{name or r.address}", {})[r.type] = r
    for parts in by_bucket.values():
        bucket = parts.get("aws_s3_bucket")
        if bucket is None:
            continue
        name = bucket.get("bucket")
        sse = parts.get("aws_s3_bucket_server_side_encryption_configuration")
        default = sse.get("rule", 0, "apply_server_side_encryption_by_default", 0) if sse else None
        if not default or default.get("sse_algorithm") != "aws:kms" or not (default.get("kms_master_key_id") or sse.is_unknown("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")):
            yield bucket.address, f"bucket {name} is not encrypted with SSE-KMS and a customer key"
        block = parts.get("aws_s3_bucket_public_access_block")
        if not block or not all(block.get(k) for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")):
            yield bucket.address, f"bucket {name} does not block all public access"
        policy = parts.get("aws_s3_bucket_policy")
        document = model.document(policy, "policy") if policy else None
        owner = Principal(f"arn:aws:iam::{bucket.account_id}:role/probe", bucket.account_id, [FULL_ACCESS])

        def allowed(action: str, resource: str, **context: str) -> bool:
            return document is None or authorized(owner, action, resource, resource_policy=document, resource_account=bucket.account_id, context={"aws:SecureTransport": "true", **context})
        if any(allowed(action, resource, **{"aws:SecureTransport": "false"}) for action, resource in (("s3:GetObject", f"arn:aws:s3:::{name}/any"), ("s3:PutObject", f"arn:aws:s3:::{name}/any"), ("s3:ListBucket", f"arn:aws:s3:::{name}"))):
            yield bucket.address, f"bucket {name}: requests without TLS (aws:SecureTransport false) are not denied for the bucket and its objects"
        if allowed("s3:PutObject", f"arn:aws:s3:::{name}/any", **{"s3:x-amz-server-side-encryption": "AES256"}):
            yield bucket.address, f"bucket {name}: uploads that ask for SSE-S3 (AES256) instead of its KMS key are not denied"
        if allowed("s3:PutObject", f"arn:aws:s3:::{name}/any", **{"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:000000000009:key/foreign"}):
            yield bucket.address, f"bucket {name}: uploads encrypted with another account's KMS key are not denied"
        if document is not None and not allowed("s3:PutObject", f"arn:aws:s3:::{name}/any"):
            yield bucket.address, f"bucket {name}: uploads without encryption headers (default encryption) are denied, so ordinary writes fail"
        versioning = parts.get("aws_s3_bucket_versioning")
        if not versioning or versioning.get("versioning_configuration", 0, "status") != "Enabled":
            yield bucket.address, f"bucket {name} is not versioned"


rule("MLOPS-006", "Buckets: SSE-KMS with a customer key, public access blocked, TLS only, uploads with the bucket's key only, versioned",
     "Training data, models and captured inferences are sensitive and must be recoverable; an upload that asks for SSE-S3 or another account's key escapes the key policy's control.",
     "AWS Foundational Security Best Practices S3.1/S3.5/S3.14/S3.17; Well-Architected ML Lens MLSEC-07; S3 User Guide, 'Requiring server-side encryption'",
     "use modules/components/bucket, which sets all of them", buckets)


def keys(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_kms_key"):
        if not r.get("enable_key_rotation"):
            yield r.address, "key rotation is off"
        for statement in statements(model.document(r, "policy")):
            if statement.get("Effect") == "Allow" and any(value == "*" for _, value in principals(statement)):
                yield r.address, "key policy allows a wildcard principal"


rule("MLOPS-010", "KMS keys rotate and their policies name no wildcard principal",
     "Rotation limits what one key version protects; a '*' principal in a key policy hands the key to anyone IAM allows, in any account.",
     "AWS Foundational Security Best Practices KMS.4; KMS Developer Guide, 'Key policies'",
     "enable_key_rotation = true; name principals exactly (modules/components/kms-key)", keys)


def repositories(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_ecr_repository"):
        if r.get("image_tag_mutability") != "IMMUTABLE":
            yield r.address, "image tags are mutable"
        if not r.get("image_scanning_configuration", 0, "scan_on_push"):
            yield r.address, "images are not scanned on push"
        if r.get("encryption_configuration", 0, "encryption_type") != "KMS":
            yield r.address, "images are not encrypted with KMS"


rule("MLOPS-009", "ECR repositories: immutable tags, scan on push, KMS",
     "Mutable tags let a deployed image change under the same name; unscanned images ship known CVEs.",
     "AWS Foundational Security Best Practices ECR.1/ECR.2; ECR User Guide, 'Image tag mutability'",
     "image_tag_mutability = \"IMMUTABLE\", scan_on_push = true, encryption_type = \"KMS\" (modules/artifact)", repositories)

