"""Find and delete what a killed run created that its state does not know.

A run killed by SIGKILL (or a lost machine) cannot record the resources it was creating when it
died; a re-run creates them again, and `destroy` cannot see the first copies. Every resource of a
tier carries the tags mlops:tier, mlops:prefix and (on the emulator, or when `state_id` is set)
mlops:state, so the copies are findable: tagged like the tier, unknown to the state.

Hand-written because no maintained tool deletes by tag *minus a Terraform state* (aws-nuke and
cloud-nuke sweep whole accounts or by age); listing uses the Resource Groups Tagging API plus the
services it does not cover (IAM, API Gateway, ECR, EventBridge Scheduler).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


@dataclass(frozen=True)
class Leftover:
    arn: str
    session: Any = field(compare=False, repr=False)

    @property
    def service(self) -> str:
        return self.arn.split(":")[2]

    @property
    def resource(self) -> str:
        return self.arn.split(":", 5)[5]


def known_values(state: dict[str, Any]) -> set[str]:
    """Every string in a `terraform show -json` of the state: ARNs, ids, names, URLs."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(state.get("values") or {})
    return found


def is_known(arn: str, known: set[str]) -> bool:
    """Conservative: known when the state holds the ARN or the resource's own id or name anywhere."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else arn
    candidates = {arn, arn.removesuffix(":*"), resource, re.split(r"[/:]", resource)[-1]}
    return bool(candidates & known)


def matches(tags: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(tags.get(key) == value for key, value in wanted.items())


def tagged(session: Any, wanted: dict[str, str]) -> Iterator[Leftover]:
    """Everything in the session's account and region that carries all the wanted tags."""
    region = session.region_name
    filters = [{"Key": k, "Values": [v]} for k, v in wanted.items()]
    for page in session.client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(TagFilters=filters):
        for item in page["ResourceTagMappingList"]:
            yield Leftover(item["ResourceARN"], session)
    iam = session.client("iam")
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if matches({t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}, wanted):
                yield Leftover(role["Arn"], session)
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for policy in page["Policies"]:
            if matches({t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=policy["Arn"])["Tags"]}, wanted):
                yield Leftover(policy["Arn"], session)
    apigateway = session.client("apigateway")
    for api in apigateway.get_rest_apis().get("items", []):
        if matches(api.get("tags") or {}, wanted):
            yield Leftover(f"arn:aws:apigateway:{region}::/restapis/{api['id']}", session)
    ecr = session.client("ecr")
    for repository in ecr.describe_repositories().get("repositories", []):
        if matches({t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"]).get("tags", [])}, wanted):
            yield Leftover(repository["repositoryArn"], session)


def gone(leftover: Leftover) -> bool:
    """Already on its way out (a KMS key pending deletion still answers with its tags)."""
    if leftover.service == "kms":
        state = leftover.session.client("kms").describe_key(KeyId=leftover.resource.removeprefix("key/"))["KeyMetadata"]["KeyState"]
        return state in ("PendingDeletion", "PendingReplicaDeletion")
    return False


def _s3(session: Any, name: str) -> None:
    s3 = session.client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        batch = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if batch:
            s3.delete_objects(Bucket=name, Delete={"Objects": batch, "Quiet": True})
    s3.delete_bucket(Bucket=name)


def _kms_key(session: Any, key_id: str) -> None:
    kms = session.client("kms")
    for alias in kms.list_aliases(KeyId=key_id).get("Aliases", []):  # aliases are not tagged: they go with their key
        kms.delete_alias(AliasName=alias["AliasName"])
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


def _iam_role(session: Any, name: str) -> None:
    iam = session.client("iam")
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=name)


def _events_rule(session: Any, resource: str) -> None:
    events, parts = session.client("events"), resource.split("/")
    bus, name = (parts[1], parts[2]) if len(parts) == 3 else ("default", parts[1])
    targets = [t["Id"] for t in events.list_targets_by_rule(Rule=name, EventBusName=bus)["Targets"]]
    if targets:
        events.remove_targets(Rule=name, EventBusName=bus, Ids=targets)
    events.delete_rule(Name=name, EventBusName=bus)


def _ec2(session: Any, resource: str) -> None:
    ec2, (kind, ident) = session.client("ec2"), resource.split("/", 1)
    delete: dict[str, Callable[[], Any]] = {
        "vpc": lambda: ec2.delete_vpc(VpcId=ident),
        "subnet": lambda: ec2.delete_subnet(SubnetId=ident),
        "security-group": lambda: ec2.delete_security_group(GroupId=ident),
        "route-table": lambda: ec2.delete_route_table(RouteTableId=ident),
        "vpc-endpoint": lambda: ec2.delete_vpc_endpoints(VpcEndpointIds=[ident]),
        "vpc-flow-log": lambda: ec2.delete_flow_logs(FlowLogIds=[ident]),
        "internet-gateway": lambda: ec2.delete_internet_gateway(InternetGatewayId=ident),
        "security-group-rule": lambda: None,  # goes with its group
    }
    delete[kind]()


def _sagemaker(session: Any, resource: str) -> None:
    sm, (kind, ident) = session.client("sagemaker"), resource.split("/", 1)
    delete: dict[str, Callable[[], Any]] = {
        "domain": lambda: sm.delete_domain(DomainId=ident, RetentionPolicy={"HomeEfsFileSystem": "Delete"}),
        "user-profile": lambda: sm.delete_user_profile(DomainId=ident.split("/")[0], UserProfileName=ident.split("/")[1]),
        "pipeline": lambda: sm.delete_pipeline(PipelineName=ident, ClientRequestToken="sweep" + "0" * 27),
        "model-package-group": lambda: sm.delete_model_package_group(ModelPackageGroupName=ident),
        "feature-group": lambda: sm.delete_feature_group(FeatureGroupName=ident),
        "monitoring-schedule": lambda: sm.delete_monitoring_schedule(MonitoringScheduleName=ident),
        "data-quality-job-definition": lambda: sm.delete_data_quality_job_definition(JobDefinitionName=ident),
    }
    delete[kind]()


def delete(leftover: Leftover) -> None:
    """Delete one leftover; KeyError for a kind this sweep does not know how to delete."""
    session, service, resource, arn = leftover.session, leftover.service, leftover.resource, leftover.arn
    name = re.split(r"[/:]", resource)[-1]
    deleters: dict[str, Callable[[], Any]] = {
        "s3": lambda: _s3(session, resource),
        "kms": lambda: _kms_key(session, name),
        "sqs": lambda: session.client("sqs").delete_queue(QueueUrl=session.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]),
        "sns": lambda: session.client("sns").delete_topic(TopicArn=arn),
        "lambda": lambda: session.client("lambda").delete_function(FunctionName=arn),
        "logs": lambda: session.client("logs").delete_log_group(logGroupName=resource.removeprefix("log-group:").removesuffix(":*")),
        "events": lambda: _events_rule(session, resource),
        "cloudwatch": lambda: session.client("cloudwatch").delete_alarms(AlarmNames=[resource.removeprefix("alarm:")]),
        "ssm": lambda: session.client("ssm").delete_parameter(Name="/" + resource.removeprefix("parameter/")),
        "ec2": lambda: _ec2(session, resource),
        "sagemaker": lambda: _sagemaker(session, resource),
        "iam": lambda: _iam_role(session, name) if resource.startswith("role/") else session.client("iam").delete_policy(PolicyArn=arn),
        "apigateway": lambda: session.client("apigateway").delete_rest_api(restApiId=name),
        "ecr": lambda: session.client("ecr").delete_repository(repositoryName=resource.removeprefix("repository/"), force=True),
    }
    deleters[service]()


def sweep(sessions: list[Any], wanted: dict[str, str], state: dict[str, Any], dry_run: bool, say: Callable[[str], None]) -> list[str]:
    """Delete (or with dry_run list) what carries the wanted tags but the state does not know.
    Returns the ARNs it could not delete."""
    known, failed = known_values(state), []
    found = [leftover for session in sessions for leftover in tagged(session, wanted)
             if not is_known(leftover.arn, known) and not gone(leftover)]
    if not found:
        say(f"no leftovers tagged {json.dumps(wanted)} outside the state")
        return []
    say(f"{len(found)} leftover(s) tagged {json.dumps(wanted)} that the state does not know" + (" (dry run: nothing deleted)" if dry_run else ""))
    order = ("lambda", "events", "apigateway", "cloudwatch", "sagemaker", "logs", "sqs", "sns", "ssm", "ecr", "s3", "iam", "kms", "ec2")
    for leftover in sorted(found, key=lambda l: (order.index(l.service) if l.service in order else len(order), "vpc/" in l.arn or ":domain/" in l.arn)):
        if dry_run:
            print(f"    would delete {leftover.arn}")
            continue
        try:
            delete(leftover)
            print(f"    deleted {leftover.arn}")
        except KeyError:
            failed.append(leftover.arn)
            print(f"    left behind {leftover.arn}: no sweeper for this kind of resource; delete it by hand")
        except Exception as error:  # noqa: BLE001 - report every leftover, then fail
            failed.append(leftover.arn)
            print(f"    could not delete {leftover.arn}: {error}")
    return failed
