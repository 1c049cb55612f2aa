"""The emulator server: a retried call that was already answered gets the same answer again; the
project's own routes (running a monitoring schedule now) answer there as in-process."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import botocore.auth
import botocore.credentials
import pytest
from botocore.awsrequest import AWSRequest

import monitor
from emulator import ctl
from support import free_port


def call(port: int, target: str, body: dict, invocation: str) -> tuple[int, dict]:
    request = AWSRequest(method="POST", url=f"{ctl.endpoint(port)}/", data=json.dumps(body),
                         headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"SageMaker.{target}", "amz-sdk-invocation-id": invocation})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "sagemaker", "us-east-1").add_auth(request)
    context = ssl.create_default_context(cafile=str(ctl.CERT_FILE))
    try:
        with urllib.request.urlopen(urllib.request.Request(request.url, data=request.body if isinstance(request.body, bytes) else request.body.encode(), headers=dict(request.headers), method="POST"), context=context, timeout=10) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_retried_create_gets_the_recorded_answer():
    port = free_port()
    ctl.up(port, timeout=60)
    try:
        status, domain = call(port, "CreateDomain", {"DomainName": "d", "AuthMode": "IAM", "DefaultUserSettings": {"ExecutionRole": "arn:aws:iam::123456789012:role/r"}, "SubnetIds": ["s"], "VpcId": "v"}, "domain-1")
        assert status == 200
        profile = {"DomainId": domain["DomainId"], "UserProfileName": "alice"}
        first = call(port, "CreateUserProfile", profile, "profile-1")
        retry = call(port, "CreateUserProfile", profile, "profile-1")  # same call, its response lost
        again = call(port, "CreateUserProfile", profile, "profile-2")  # a new call
        assert first == retry and first[0] == 200
        assert again[0] == 400 and "already exists" in json.dumps(again[1])
        with pytest.raises(SystemExit, match="^error: missing: Monitoring Schedule missing does not exist$"):
            monitor.run("123456789012", "us-east-1", "missing", port)  # what `make monitor` calls
    finally:
        ctl.down(port)
