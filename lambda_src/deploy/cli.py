"""The CI/CD deploy step: the deploy function's reconciler, run by CodeBuild in the pipeline.

    python3 cli.py deploy   roll out the release's package, wait, fail unless it serves
    python3 cli.py smoke    fail unless the endpoint serves the release's package and answers SMOKE_PAYLOAD

Environment: MODEL_PACKAGE_ARN (the version this release deploys, from the approval that started it:
every stage deploys exactly that version or fails, whatever is approved meanwhile), DEPLOYMENT_SPEC
and NETWORK_PARAMETER as for the function, DEPLOY_ROLE_ARN (the stage's deploy role, assumed first).
Exit status 0 on success, 1 with the reason otherwise, 2 on a usage error.
"""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Callable

import boto3

import app

BUSY = {"Creating", "Updating", "SystemUpdating", "RollingBack"}


def session() -> Any:
    role = os.environ.get("DEPLOY_ROLE_ARN")
    if not role:
        return boto3.session.Session()
    creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="cicd-deploy")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def wait_idle(sm: Any, name: str, timeout: float, poll: float, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        endpoint = app.describe_endpoint(sm, name) or {"EndpointStatus": "Missing"}
        if endpoint["EndpointStatus"] not in BUSY or time.monotonic() > deadline:
            return endpoint
        print(f"{name}: {endpoint['EndpointStatus']}, waiting", flush=True)
        sleep(poll)


def deploy(c: app.Clients, package_arn: str, poll: float = 30, sleep: Callable[[float], None] = time.sleep, rounds: int = 3) -> tuple[bool, str]:
    """Reconcile until the endpoint is idle and serves the release's package, or say why not."""
    spec = app.load_spec(c)
    newest, why = app.approved_package(c.sagemaker, spec, package_arn)
    if newest is None:
        return False, why
    timeout = spec.canary.maximum_execution_timeout_seconds + 1800
    for _ in range(rounds):  # created/updating/deferred -> wait -> reconcile again; noop ends it
        result = app.reconcile(spec, c, newest)
        print(json.dumps(result, default=str), flush=True)
        endpoint = wait_idle(c.sagemaker, spec.endpoint_name, timeout, poll, sleep)
        if endpoint["EndpointStatus"] != "InService":
            return False, f"{spec.endpoint_name} is {endpoint['EndpointStatus']}: {endpoint.get('FailureReason', 'no reason given')}"
        if result["status"] == "noop":
            break
    app.ensure_autoscaling(c.autoscaling, spec)
    if endpoint.get("EndpointConfigName") != app.names_for(spec, newest)[1]:
        return False, f"{spec.endpoint_name} does not serve {newest.arn}: {result['reason']}"
    return True, f"{spec.endpoint_name} serves {newest.arn}"


def serves(sm: Any, spec: Any, package_arn: str) -> tuple[bool, str]:
    """Does the endpoint serve exactly the release's package (not one approved since)?"""
    endpoint = app.describe_endpoint(sm, spec.endpoint_name) or {}
    try:
        expected = app.names_for(spec, app.Package(package_arn, app.package_version(package_arn)))[1]
    except ValueError as error:
        return False, str(error)
    if endpoint.get("EndpointConfigName") != expected:
        return False, f"{spec.endpoint_name} serves {endpoint.get('EndpointConfigName', 'nothing')}, not the release's {package_arn}"
    return True, ""


def smoke(runtime: Any, endpoint_name: str, payload: str) -> tuple[bool, str]:
    reply = runtime.invoke_endpoint(EndpointName=endpoint_name, ContentType="application/json", Accept="application/json", Body=payload.encode())
    body = reply["Body"].read()
    try:
        json.loads(body)
    except ValueError:
        return False, f"{endpoint_name} answered non-JSON: {body[:200]!r}"
    return True, f"{endpoint_name} answered {len(body)} bytes of JSON"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("deploy", "smoke"):
        print(__doc__, file=sys.stderr)
        return 2
    package_arn = os.environ.get("MODEL_PACKAGE_ARN", "")
    if not package_arn:
        print("failed: MODEL_PACKAGE_ARN is not set; releases start from an approval", file=sys.stderr)
        return 2
    s = session()
    if argv[0] == "deploy":
        ok, reason = deploy(app.Clients.create(s), package_arn)
    else:
        clients = app.Clients.create(s)
        spec = app.load_spec(clients)
        ok, reason = serves(clients.sagemaker, spec, package_arn)
        if ok:
            ok, reason = smoke(s.client("sagemaker-runtime"), spec.endpoint_name, os.environ.get("SMOKE_PAYLOAD", '{"instances": []}'))
    print(("ok: " if ok else "failed: ") + reason, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
