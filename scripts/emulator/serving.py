"""InvokeEndpoint on the emulator: the endpoint's model answers, and data capture records the request
and the answer (moto answers every endpoint with canned data and captures nothing).

The model artifact the variant's model points to is unpacked and served by a process of its own
(emulator/model_worker.py, the inference toolkit's model_fn/input_fn/predict_fn/output_fn) on the
local Python in place of the inference image; one process per artifact, started on first use.
Capture records are SageMaker's documented JSON Lines (captureData.endpointInput/endpointOutput,
eventMetadata, eventVersion) under <DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/, one
object per request where AWS batches several. During a blue/green update the request goes to the
fleet emulator/deployments.py routes it to; every request publishes the endpoint's metrics there.
Runs inside a request: the server's lock is held.
"""
from __future__ import annotations

import base64
import io
import json
import random
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from emulator import deployments, images
from emulator.pipelines import bucket_backend, split_uri

WORKER = Path(__file__).with_name("model_worker.py")
_workers: dict[tuple[str, str], subprocess.Popen[str]] = {}


class EndpointNotFound(Exception):
    pass


class ModelError(Exception):
    pass


def _artifact(url: str) -> tuple[bytes, str]:
    bucket, key = split_uri(url)
    found = bucket_backend(bucket).get_object(bucket, key)
    if found is None:
        raise ModelError(f"the model artifact {url} does not exist")
    return found.value, found.etag


def worker(url: str, program: str) -> subprocess.Popen[str]:
    body, etag = _artifact(url)
    key = (url, etag)
    running = _workers.get(key)
    if running is not None and running.poll() is None:
        return running
    for stale in [k for k in _workers if k[0] == url]:  # the artifact was rewritten: its old model goes
        _workers.pop(stale).kill()
    folder = Path(tempfile.mkdtemp(prefix="model-"))
    with tarfile.open(fileobj=io.BytesIO(body)) as packed:
        members = [m for m in packed.getmembers() if m.isfile() or m.isdir()]
        if any(m.name.startswith("/") or ".." in Path(m.name).parts for m in members):
            raise ModelError(f"the model artifact {url} has unsafe paths")
        packed.extractall(folder, members=members)
    process = subprocess.Popen([sys.executable, str(WORKER), str(folder), program], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = json.loads(process.stdout.readline() or '{"error": "the model process exited"}')  # type: ignore[union-attr]
    if "error" in ready:
        process.kill()
        raise ModelError(f"the model failed to load: {ready['error']}")
    _workers[key] = process
    return process


def pick(variants: list[dict[str, Any]], target: str | None) -> dict[str, Any]:
    if target:
        chosen = [v for v in variants if v["VariantName"] == target]
        if not chosen:
            raise EndpointNotFound(f"Target variant {target} not found")
        return chosen[0]
    weights = [float(v.get("InitialVariantWeight", 1.0)) for v in variants]
    return random.choices(variants, weights=weights)[0] if sum(weights) > 0 else variants[0]


def capture_record(config: dict[str, Any], body: bytes, content_type: str, answer: bytes, answer_type: str) -> dict[str, Any]:
    header = config.get("CaptureContentTypeHeader") or {}
    modes = {o["CaptureMode"] for o in config.get("CaptureOptions", [])} or {"Input", "Output"}

    def part(mode: str, data: bytes, observed: str) -> dict[str, Any]:
        encoding = "JSON" if observed in header.get("JsonContentTypes", []) else "CSV" if observed in header.get("CsvContentTypes", []) else "BASE64"
        text = base64.b64encode(data).decode() if encoding == "BASE64" else data.decode()
        return {"observedContentType": observed, "mode": mode.upper(), "data": text, "encoding": encoding}

    data = {}
    if "Input" in modes:
        data["endpointInput"] = part("Input", body, content_type)
    if "Output" in modes:
        data["endpointOutput"] = part("Output", answer, answer_type)
    now = datetime.now(timezone.utc)
    return {"captureData": data, "eventMetadata": {"eventId": str(uuid.uuid4()), "inferenceTime": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}, "eventVersion": "0"}


def capture(config: dict[str, Any], endpoint: str, variant: str, record: dict[str, Any]) -> None:
    if not config.get("EnableCapture", True) or random.uniform(0, 100) >= float(config.get("InitialSamplingPercentage", 100)):
        return
    bucket, prefix = split_uri(config["DestinationS3Uri"])
    now = datetime.now(timezone.utc)
    key = f"{prefix.rstrip('/')}/{endpoint}/{variant}/{now:%Y/%m/%d/%H}/{now:%M-%S}-{now.microsecond // 1000:03d}-{uuid.uuid4()}.jsonl".lstrip("/")
    bucket_backend(bucket).put_object(bucket, key, (json.dumps(record) + "\n").encode())


def package_container(backend: Any, name_or_arn: str) -> dict[str, Any]:
    """The first container of a model package's inference specification (the package may be in
    another account: the artifact account's registry in the large tier)."""
    from moto.sagemaker.models import sagemaker_backends

    parts = name_or_arn.split(":")
    owner = sagemaker_backends[parts[4]][parts[3]] if name_or_arn.startswith("arn:") else backend
    package = owner.model_packages.get(owner.model_package_name_mapping.get(name_or_arn, name_or_arn))
    if package is None:
        raise ModelError(f"the model package {name_or_arn} does not exist")
    return ((package.inference_specification or {}).get("Containers") or [{}])[0]


def invoke(backend: Any, endpoint_name: str, body: bytes, content_type: str, accept: str, target_variant: str | None) -> tuple[bytes, str, str]:
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        raise EndpointNotFound(f"Endpoint {endpoint_name} of account {backend.account_id} not found.")
    config = backend.describe_endpoint_config(deployments.route(endpoint))
    variant = pick(config["ProductionVariants"], target_variant)
    began = time.perf_counter()
    try:
        answer, answer_type, latency_us = answer_with(backend, variant, body, content_type, accept)
    except ModelError:
        deployments.publish(backend.account_id, backend.region_name, endpoint_name, variant["VariantName"], 500, (time.perf_counter() - began) * 1e6)
        raise
    deployments.publish(backend.account_id, backend.region_name, endpoint_name, variant["VariantName"], 200, latency_us)
    if config.get("DataCaptureConfig"):
        capture(config["DataCaptureConfig"], endpoint_name, variant["VariantName"], capture_record(config["DataCaptureConfig"], body, content_type, answer, answer_type))
    return answer, answer_type, variant["VariantName"]


def answer_with(backend: Any, variant: dict[str, Any], body: bytes, content_type: str, accept: str) -> tuple[bytes, str, float]:
    """The variant's model answers the request (with the model's latency in microseconds), or a
    ModelError says why not (a model's server error, as the inference toolkit answers 500 when a
    handler raises). The latency is the model's answer alone, as SageMaker's ModelLatency: AWS loads
    the model when the instances start, the emulator on the first request (under load a cold start
    counted as latency rolled a healthy canary back in a test run)."""
    model = backend._models.get(variant["ModelName"])
    if model is None:
        raise ModelError(f"the model {variant['ModelName']} of variant {variant['VariantName']} does not exist")
    injected = deployments.fault(backend, variant["ModelName"])
    if injected:
        raise ModelError(f'Received server error (500) from primary with message "{injected}".')
    container = model.primary_container or (model.containers or [{}])[0]
    if container.get("ModelPackageName"):
        container = package_container(backend, container["ModelPackageName"])
    try:  # AWS pulls when the endpoint's instances start; the emulator when the model first answers
        images.check(container.get("Image") or "", model.execution_role_arn, backend.account_id)
    except images.NotPullable as error:
        raise ModelError(str(error)) from None
    if not container.get("ModelDataUrl"):
        raise ModelError(f"the model {variant['ModelName']} has no ModelDataUrl (the emulator serves model artifacts only)")
    process = worker(container["ModelDataUrl"], (container.get("Environment") or {}).get("SAGEMAKER_PROGRAM", "inference.py"))
    request = {"body": base64.b64encode(body).decode(), "content_type": content_type, "accept": accept or content_type}
    began = time.perf_counter()
    process.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
    process.stdin.flush()  # type: ignore[union-attr]
    reply = json.loads(process.stdout.readline() or '{"error": "the model process exited"}')  # type: ignore[union-attr]
    if "error" in reply:
        raise ModelError(f'Received server error (500) from primary with message "{reply["error"]}".')
    return base64.b64decode(reply["body"]), reply["content_type"], (time.perf_counter() - began) * 1e6
