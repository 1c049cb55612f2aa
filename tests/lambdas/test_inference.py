"""Inference proxy: request validation (no AWS), and the model call against moto's sagemaker-runtime.

moto answers InvokeEndpoint for any endpoint with configured results, so the model-error and
endpoint-missing answers, which moto cannot produce, use botocore's Stubber (named per test).
The timeout case uses a real socket on loopback that never answers.
"""
from __future__ import annotations

import base64
import io
import json
import logging
import socket
import threading
import time
from typing import Iterator

import boto3
import pytest
import requests
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from support import MALFORMED, load_lambda, malformed

ROUTES = json.dumps({"/predict": "mlops-prod", "/model/invocations": "mlops-prod", "/fraud/invocations": "mlops-prod-fraud"})


@pytest.fixture
def inference(aws_credentials, monkeypatch):
    monkeypatch.setenv("ROUTES", ROUTES)
    monkeypatch.setenv("MAX_PAYLOAD_BYTES", "1024")
    with mock_aws():
        app = load_lambda("inference")
        app.clients = app.Clients.create()
        yield app


def model_answers(*bodies: dict) -> None:
    """Queue the endpoint's answers in moto (its documented results API)."""
    results = [{"Body": json.dumps(b), "ContentType": "application/json"} for b in bodies]
    requests.post("http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results", json={"results": results}, timeout=5)


def body(response: dict) -> dict:
    return json.loads(response["body"])


def test_valid_request_returns_predictions(inference, event):
    model_answers({"predictions": [1, 0], "probabilities": [0.93, 0.08]})
    response = inference.handler(event("api_request"))
    assert response["statusCode"] == 200
    assert body(response)["predictions"] == [1, 0]
    assert response["headers"] == {"Content-Type": "application/json", "X-Request-Id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}


def test_base64_body_is_decoded(inference, event):
    model_answers({"predictions": [1]})
    request = event("api_request")
    request.update(body=base64.b64encode(b'{"instances": [[1, 2]]}').decode(), isBase64Encoded=True)
    assert inference.handler(request)["statusCode"] == 200


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"headers": {"Content-Type": "text/plain"}}, 415, "Content-Type must be application/json"),
        ({"headers": {}}, 415, "got none"),
        ({"body": ""}, 400, "empty"),
        ({"body": "   "}, 400, "request body is empty; send {\"instances\": [[...], ...]}"),
        ({"body": "{\"instances\": [[1, 2]"}, 400, "not valid JSON"),
        ({"body": "not base64!", "isBase64Encoded": True}, 400, "base64"),
        ({"body": json.dumps({"instances": [[0.5] * 400]})}, 413, "limit is 1024"),
        ({"body": "[]"}, 422, "non-empty list"),
        ({"body": json.dumps({"instances": []})}, 422, "non-empty list"),
        ({"body": json.dumps({"rows": [[1]]})}, 422, "\"instances\""),
        ({"body": json.dumps({"instances": [["a", 1]]})}, 422, "every instance must be a list of numbers"),
        ({"body": json.dumps({"instances": [[True, 1]]})}, 422, "list of numbers"),
        ({"body": json.dumps({"instances": [[1]] * 101})}, 422, "at most 100"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_reason(inference, event, change, status, reason):
    request = {**event("api_request"), **change}
    response = inference.handler(request)
    assert response["statusCode"] == status
    assert reason in body(response)["error"]
    assert body(response)["request_id"]


@pytest.mark.parametrize(("request_body", "message"), [
    ("   ", 'request body is empty; send {"instances": [[...], ...]}'),
    (json.dumps({"instances": [["a", 1]]}), "every instance must be a list of numbers"),
])
def test_the_reason_is_the_whole_message(inference, event, request_body, message):
    assert body(inference.handler({**event("api_request"), "body": request_body}))["error"] == message


def stubbed_error(inference, code: str, message: str, http_status: int) -> Stubber:
    client = boto3.client("sagemaker-runtime")
    stubber = Stubber(client)
    stubber.add_client_error("invoke_endpoint", service_error_code=code, service_message=message, http_status_code=http_status)
    stubber.activate()
    inference.clients = inference.Clients(runtime=client)
    return stubber


def test_model_error_maps_to_502_without_details(inference, event):
    # Stubber: moto cannot make a model fail.
    stubbed_error(inference, "ModelError", "Traceback (most recent call last): secret internals", 424)
    response = inference.handler(event("api_request"))
    assert response["statusCode"] == 502
    assert "Traceback" not in response["body"] and "secret" not in response["body"]


def test_missing_endpoint_maps_to_503(inference, event):
    # Stubber: moto answers for endpoints that do not exist.
    stubbed_error(inference, "ValidationException", "Endpoint mlops-prod of account 123456789012 not found.", 400)
    response = inference.handler(event("api_request"))
    assert (response["statusCode"], body(response)["error"]) == (503, "no model is deployed yet")


def test_non_json_model_answer_maps_to_502(inference, event):
    requests.post("http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results", json={"results": [{"Body": "<html>", "ContentType": "text/html"}]}, timeout=5)
    assert inference.handler(event("api_request"))["statusCode"] == 502


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_model_timeout_maps_to_504(aws_credentials, monkeypatch, event, silent_server):
    monkeypatch.setenv("ROUTES", ROUTES)
    monkeypatch.setenv("ENDPOINT_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", silent_server)
    app = load_lambda("inference")
    started = time.monotonic()
    response = app.handler(event("api_request"))
    assert time.monotonic() - started < 10, "the endpoint timeout bounds the wait (the SDK's default is 60 s, with retries)"
    assert response["statusCode"] == 504
    assert body(response)["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


@pytest.mark.parametrize("kind", ["event is a string", "event is a list", "headers of the wrong type"])
def test_malformed_proxy_events_get_a_400_with_a_logged_reason(inference, event, caplog, kind):
    bad = {**event("api_request"), "headers": "content-type: application/json"} if kind == "headers of the wrong type" else malformed(event("api_request"), kind)
    with caplog.at_level(logging.INFO):
        response = inference.handler(bad)
    assert response["statusCode"] == 400 and body(response)["error"] == "malformed request"
    assert response["headers"] == {"Content-Type": "application/json", "X-Request-Id": "unknown"}, "no context: the id says so"
    assert any("malformed event" in r.getMessage() for r in caplog.records)


def test_what_is_sent_is_the_validated_instances_to_the_configured_endpoint(inference, event):
    # Stubber with expected parameters: the emulator answers whatever it is sent.
    client = boto3.client("sagemaker-runtime")
    stubber = Stubber(client)
    answer = json.dumps({"predictions": [1, 0]}).encode()
    stubber.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(answer), len(answer)), "ContentType": "application/json"},
                         {"EndpointName": "mlops-prod", "ContentType": "application/json", "Accept": "application/json",
                          "Body": json.dumps({"instances": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}).encode()})
    stubber.activate()
    inference.clients = inference.Clients(runtime=client)
    request = {**event("api_request"), "body": json.dumps({"instances": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "ignored": "extra keys are not forwarded"})}
    assert inference.handler(request)["statusCode"] == 200
    stubber.assert_no_pending_responses()


def test_throttling_maps_to_503_retry_later(inference, event):
    stubbed_error(inference, "ThrottlingException", "Rate exceeded", 400)
    response = inference.handler(event("api_request"))
    assert (response["statusCode"], body(response)["error"]) == (503, "the model is busy; retry later")


def test_an_unexpected_failure_is_a_502_without_details(inference, event, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(inference.clients.runtime, "invoke_endpoint", explode)
    response = inference.handler(event("api_request"))
    assert (response["statusCode"], body(response)["error"]) == (502, "internal error")
    assert "secret" not in response["body"]


@pytest.mark.parametrize("resource,endpoint", [("/predict", "mlops-prod"), ("/model/invocations", "mlops-prod"), ("/fraud/invocations", "mlops-prod-fraud")])
def test_each_route_reaches_its_use_cases_endpoint(inference, event, resource, endpoint):
    client = boto3.client("sagemaker-runtime")
    stubber = Stubber(client)
    answer = json.dumps({"predictions": [1]}).encode()
    stubber.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(answer), len(answer)), "ContentType": "application/json"},
                         {"EndpointName": endpoint, "ContentType": "application/json", "Accept": "application/json", "Body": json.dumps({"instances": [[1, 2]]}).encode()})
    stubber.activate()
    inference.clients = inference.Clients(runtime=client)
    request = {**event("api_request"), "resource": resource, "path": resource, "body": json.dumps({"instances": [[1, 2]]})}
    assert inference.handler(request)["statusCode"] == 200
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("request_path", [{"resource": "/churn/invocations", "path": "/churn/invocations"}, {"resource": None, "path": None}])
def test_a_route_that_serves_no_model_is_a_404_with_a_reason(inference, event, request_path):
    response = inference.handler({**event("api_request"), **request_path})
    assert response["statusCode"] == 404 and ("no model is served at '/churn/invocations'" in body(response)["error"] or body(response)["error"] == "the request names no path")


@pytest.mark.parametrize("routes", ["not json", "[]", '{"predict": "mlops-prod"}', '{"/predict": ""}'])
def test_misconfigured_routes_fail_at_start(aws_credentials, monkeypatch, routes):
    monkeypatch.setenv("ROUTES", routes)
    with pytest.raises(RuntimeError, match="ROUTES"):
        load_lambda("inference")
