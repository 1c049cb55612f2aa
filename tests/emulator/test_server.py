"""The emulator server: a retried call that was already answered gets the same answer again; the
project's own routes (running a monitoring schedule now) answer there as in-process."""
from __future__ import annotations

import http.client
import json
import ssl
import threading
import urllib.error
import urllib.request

import botocore.auth
import botocore.credentials
import pytest
from botocore.awsrequest import AWSRequest

import monitor
from emulator import ctl
from emulator.server import Arrivals
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


def signed(port: int, target: str, body: dict) -> AWSRequest:
    request = AWSRequest(method="POST", url=f"{ctl.endpoint(port)}/", data=json.dumps(body), headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"SageMaker.{target}"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "sagemaker", "us-east-1").add_auth(request)
    return request


def test_drain_waits_for_earlier_requests_only():
    arrivals = Arrivals()
    earlier = arrivals.arrive()
    result: list = []
    waiter = threading.Thread(target=lambda: result.append(arrivals.drain(timeout=10)))
    waiter.start()
    later = arrivals.arrive()  # arrives after the drain: not waited for
    waiter.join(0.3)
    assert waiter.is_alive() and not result, "drain answered while an earlier request was still waiting"
    arrivals.leave(earlier)
    waiter.join(5)
    assert result == [1]
    assert arrivals.drain(timeout=0.1) is None, "the later request still waits: a drain now times out"
    arrivals.leave(later)
    assert arrivals.drain(timeout=0.1) == 0


def test_drain_answers_after_every_earlier_request_ran():
    """What a SIGKILLed run leaves: requests sent, never read. The sweep that follows drains them first
    (scripts/tier.py sweep), so it lists what they create: the lock they queue on is not first come, first served."""
    port = free_port()
    ctl.up(port, timeout=60)
    try:
        status, domain = call(port, "CreateDomain", {"DomainName": "d", "AuthMode": "IAM", "DefaultUserSettings": {"ExecutionRole": "arn:aws:iam::123456789012:role/r"}, "SubnetIds": ["s"], "VpcId": "v"}, "domain-1")
        assert status == 200
        abandoned = []
        for i in range(30):  # sent, and the client never reads the answer (it was killed)
            request = signed(port, "CreateUserProfile", {"DomainId": domain["DomainId"], "UserProfileName": f"u{i}"})
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=ssl.create_default_context(cafile=str(ctl.CERT_FILE)), timeout=30)
            connection.request("POST", "/", body=request.body, headers=dict(request.headers))
            abandoned.append(connection)
        assert ctl.call("drain", {}, port)["drained"] >= 0
        status, listed = call(port, "ListUserProfiles", {"DomainIdEquals": domain["DomainId"], "MaxResults": 100}, "list-1")
        assert status == 200 and len(listed["UserProfiles"]) == 30, "a request sent before the drain ran after it"
        for connection in abandoned:
            connection.close()
    finally:
        ctl.down(port)
