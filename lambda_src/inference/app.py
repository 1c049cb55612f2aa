"""Inference proxy: API Gateway (REST, proxy integration) -> the SageMaker real-time endpoint of the route.

ROUTES maps each API resource path to its use case's endpoint, e.g. {"/predict": "mlops-prod",
"/fraud/invocations": "mlops-prod-fraud"}; a path it does not name is answered 404.

Bad requests are answered 4xx with a reason; model errors map to 502 and timeouts to 504, with the
request ID so an operator can find the log line. The client never sees a stack trace.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

LOG = logging.getLogger("inference")
LOG.setLevel(os.environ.get("LOG_LEVEL", "INFO"))



def read_routes(text: str) -> dict[str, str]:
    """ROUTES, checked: a function Terraform configured wrongly fails at start, not per request."""
    try:
        routes = json.loads(text)
    except ValueError as error:
        raise RuntimeError(f"ROUTES is not JSON: {error}") from error
    if not isinstance(routes, dict) or not all(isinstance(k, str) and k.startswith("/") and isinstance(v, str) and v for k, v in routes.items()):
        raise RuntimeError("ROUTES must map API paths (/...) to endpoint names")
    return routes


ROUTES = read_routes(os.environ.get("ROUTES", "{}"))
MAX_PAYLOAD_BYTES = int(os.environ.get("MAX_PAYLOAD_BYTES", "262144"))
MAX_INSTANCES = int(os.environ.get("MAX_INSTANCES", "100"))
TIMEOUT_SECONDS = float(os.environ.get("ENDPOINT_TIMEOUT_SECONDS", "10"))
JSON_TYPE = "application/json"


@dataclass
class Clients:
    runtime: Any

    @classmethod
    def create(cls) -> "Clients":
        config = Config(connect_timeout=2, read_timeout=TIMEOUT_SECONDS, retries={"max_attempts": 1, "mode": "standard"})
        return cls(runtime=boto3.client("sagemaker-runtime", config=config))


clients: Clients | None = None  # created on first use; tests inject their own


def get_clients() -> Clients:
    global clients
    if clients is None:
        clients = Clients.create()
    return clients


class BadRequest(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def respond(status: int, body: dict[str, Any], request_id: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON_TYPE, "X-Request-Id": request_id},
        "body": json.dumps({**body, "request_id": request_id}),
    }


def log(level: int, message: str, **fields: Any) -> None:
    LOG.log(level, json.dumps({"message": message, **fields}, default=str, sort_keys=True))


def header(event: dict[str, Any], name: str) -> str:
    headers = event.get("headers") or {}
    for key, value in headers.items():
        if key.lower() == name:
            return value or ""
    return ""


def parse_request(event: dict[str, Any]) -> bytes:
    """Validate the request and return the payload to send to the model."""
    content_type = header(event, "content-type").split(";")[0].strip().lower()
    if content_type != JSON_TYPE:
        raise BadRequest(415, f"Content-Type must be {JSON_TYPE}, got {content_type or 'none'}")
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        import base64  # only on this rare path

        try:
            body = base64.b64decode(body).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest(400, "body is not valid base64-encoded UTF-8")
    raw = body.encode("utf-8")
    if not raw.strip():
        raise BadRequest(400, "request body is empty; send {\"instances\": [[...], ...]}")
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise BadRequest(413, f"request body is {len(raw)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadRequest(400, f"request body is not valid JSON: {error.msg} at position {error.pos}")
    instances = payload.get("instances") if isinstance(payload, dict) else None
    if not isinstance(instances, list) or not instances:
        raise BadRequest(422, "body must be an object with a non-empty list \"instances\"")
    if len(instances) > MAX_INSTANCES:
        raise BadRequest(422, f"at most {MAX_INSTANCES} instances per request, got {len(instances)}")
    if not all(isinstance(row, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row) for row in instances):
        raise BadRequest(422, "every instance must be a list of numbers")
    return json.dumps({"instances": instances}).encode("utf-8")


def route_of(event: dict[str, Any]) -> str:
    """The endpoint of the request's API resource (its path where a caller sends no resource)."""
    path = event.get("resource") or event.get("path")
    if not isinstance(path, str) or path not in ROUTES:
        raise BadRequest(404, f"no model is served at {path!r}" if isinstance(path, str) else "the request names no path")
    return ROUTES[path]


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    if not isinstance(event, dict) or not isinstance(event.get("headers") or {}, dict):
        log(logging.INFO, "rejected request", status=400, reason="malformed event: not an API Gateway proxy request")
        return respond(400, {"error": "malformed request"}, getattr(context, "aws_request_id", None) or "unknown")
    context_of_request = event.get("requestContext") if isinstance(event.get("requestContext"), dict) else {}
    request_id = getattr(context, "aws_request_id", None) or context_of_request.get("requestId") or "unknown"
    try:
        endpoint = route_of(event)
        payload = parse_request(event)
    except BadRequest as error:
        log(logging.INFO, "rejected request", status=error.status, reason=error.reason, request_id=request_id)
        return respond(error.status, {"error": error.reason}, request_id)

    try:
        reply = get_clients().runtime.invoke_endpoint(
            EndpointName=endpoint, ContentType=JSON_TYPE, Accept=JSON_TYPE, Body=payload
        )
        result = json.loads(reply["Body"].read())
    except (ReadTimeoutError, ConnectTimeoutError) as error:
        log(logging.ERROR, "model timed out", error=repr(error), request_id=request_id)
        return respond(504, {"error": "the model did not answer in time"}, request_id)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        log(logging.ERROR, "model call failed", code=code, error=str(error), request_id=request_id)
        if code == "ValidationException" and "not found" in str(error).lower():
            return respond(503, {"error": "no model is deployed yet"}, request_id)
        if code in ("ThrottlingException", "ServiceUnavailable"):
            return respond(503, {"error": "the model is busy; retry later"}, request_id)
        return respond(502, {"error": "the model failed to answer"}, request_id)
    except (ValueError, KeyError) as error:
        log(logging.ERROR, "model answered with invalid JSON", error=repr(error), request_id=request_id)
        return respond(502, {"error": "the model answered with an invalid response"}, request_id)
    except Exception as error:  # noqa: BLE001 - the client must never see a stack trace
        log(logging.ERROR, "unexpected failure", error=repr(error), request_id=request_id)
        return respond(502, {"error": "internal error"}, request_id)

    log(logging.INFO, "served", instances=len(json.loads(payload)["instances"]), request_id=request_id)
    return respond(200, {"predictions": result.get("predictions", result) if isinstance(result, dict) else result}, request_id)
