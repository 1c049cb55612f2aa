"""Runs a started SageMaker pipeline from its stored definition (moto records every execution as
Succeeded at once and runs nothing).

Hand-written: nothing maintained runs a stored pipeline definition outside SageMaker (the SageMaker
SDK's local mode needs Docker and the SDK's pipeline objects). What it runs, in definition order
once a step's dependencies succeeded (AWS runs independent steps in parallel):
- Processing and Training steps whose ContainerEntrypoint is a script: the local Python runs it in
  place of the container image, with /opt/ml/... mapped to a temporary folder, inputs downloaded
  from and outputs uploaded to the emulator's S3, SM_CHANNEL_*, SM_MODEL_DIR and the hyperparameters
  file as SageMaker lays them out; a training job's model directory is packed as model.tar.gz; the
  job's image must be pullable (emulator/images.py), and the script's SDK calls reach the emulator
  with the job role's temporary credentials, as a container gets them;
- Processing steps on Model Monitor's analyzer image: the project's own baseline (emulator.model_monitor);
- Condition (with Std:JsonGet on property files), Model, RegisterModel and Fail steps.
Any other step fails with a reason, so nothing passes that did not run.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any, Callable

LOCK = threading.Lock()  # held around every use of moto's backends (the server holds it per request)
SERVICE_ENDPOINT: dict[str, str] = {}  # set by emulator.server: the URL and CA bundle a job's AWS calls reach the emulator through
CONTAINER_ROOT = "/opt/ml"
ANALYZER_REPOSITORY = "sagemaker-model-monitor-analyzer"
_TOKEN = re.compile(r"\.?([A-Za-z0-9_]+)|\[(?:'([^']*)'|(\d+))\]")


class StepFailed(Exception):
    """A step's failure, with the reason ListPipelineExecutionSteps reports."""


# --- S3 through moto's backends ---------------------------------------------------------------

def split_uri(uri: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise StepFailed(f"ClientError: {uri!r} is not an s3:// URI")
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def bucket_backend(bucket: str) -> Any:
    from moto.s3.models import s3_backends

    if bucket not in s3_backends.bucket_accounts:
        raise StepFailed(f"ClientError: bucket {bucket} does not exist")
    partition, account = s3_backends.bucket_accounts[bucket]
    return s3_backends[account][partition]


def download(uri: str, folder: Path) -> int:
    """Every object under the prefix, at its path below the prefix (a key that is the prefix itself
    lands under its base name, as SageMaker places an S3Prefix input that names one object)."""
    bucket, prefix = split_uri(uri)
    with LOCK:
        found = [(name, key.value) for name, key in bucket_backend(bucket).get_bucket(bucket).keys.items()
                 if name.startswith(prefix) and key is not None and not name.endswith("/")]
    for name, body in found:
        relative = name[len(prefix):].lstrip("/") or name.rsplit("/", 1)[-1]
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    if not found:
        raise StepFailed(f"ClientError: no objects under {uri}")
    return len(found)


def upload(folder: Path, uri: str) -> None:
    bucket, prefix = split_uri(uri)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = f"{prefix.rstrip('/')}/{path.relative_to(folder).as_posix()}".lstrip("/")
        with LOCK:
            bucket_backend(bucket).put_object(bucket, key, path.read_bytes())


# --- the execution ----------------------------------------------------------------------------

class Execution:
    def __init__(self, backend: Any, pipeline: Any, execution: Any) -> None:
        self.backend, self.pipeline, self.execution = backend, pipeline, execution
        self.definition = json.loads(execution.pipeline_definition_for_execution)
        given = {p["Name"]: p["Value"] for p in execution.pipeline_parameters or []}
        self.parameters = {p["Name"]: typed(p, given.get(p["Name"], p.get("DefaultValue"))) for p in self.definition.get("Parameters", [])}
        self.id = execution.arn.rsplit("/", 1)[-1]
        self.steps: list[dict[str, Any]] = []  # ListPipelineExecutionSteps, oldest first
        self.properties: dict[str, Any] = {}
        self.property_files: dict[tuple[str, str], Any] = {}
        self.folders: list[Path] = []  # the jobs' /opt/ml folders, removed when the run ends

    # Expressions: Get, Std:Join, Std:JsonGet.
    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Get"}:
            return self.get(value["Get"])
        if set(value) == {"Std:Join"}:
            spec = value["Std:Join"]
            return spec["On"].join(str(self.resolve(v)) for v in spec["Values"])
        if set(value) == {"Std:JsonGet"}:
            return self.json_get(value["Std:JsonGet"])
        return {k: self.resolve(v) for k, v in value.items()}

    def get(self, path: str) -> Any:
        head, _, rest = path.partition(".")
        if head == "Parameters" and rest in self.parameters:
            return self.parameters[rest]
        if head == "Execution":
            known = {"PipelineExecutionId": self.id, "PipelineExecutionArn": self.execution.arn, "PipelineName": self.pipeline.pipeline_name,
                     "StartDateTime": self.execution.start_time.isoformat()}
            if rest in known:
                return known[rest]
        if head == "Steps":
            step, _, attribute = rest.partition(".")
            if step in self.properties:
                return walk(self.properties[step], attribute, path)
        raise StepFailed(f"ClientError: cannot resolve {{Get: {path}}}")

    def json_get(self, spec: dict[str, Any]) -> Any:
        import jmespath

        reference = spec["PropertyFile"]["Get"] if isinstance(spec.get("PropertyFile"), dict) else ""
        match = re.fullmatch(r"Steps\.([^.]+)\.PropertyFiles\.([^.]+)", reference)
        if not match or (match[1], match[2]) not in self.property_files:
            raise StepFailed(f"ClientError: no property file {reference!r}")
        found = jmespath.search(spec["Path"], self.property_files[(match[1], match[2])])
        if found is None:
            raise StepFailed(f"ClientError: {spec['Path']} is not in property file {match[2]}")
        return found

    def run(self) -> None:
        pending = list(self.definition.get("Steps", []))
        done: set[str] = set()
        failure = None
        while pending and failure is None:
            ready = next((s for s in pending if dependencies(s) <= done), None)
            if ready is None:
                failure = f"steps {[s['Name'] for s in pending]} wait for steps that never ran"
                break
            pending.remove(ready)
            started = {"StepName": ready["Name"], "StepStatus": "Executing", "StartTime": _now(), "AttemptCount": 1, "Metadata": {}}
            with LOCK:  # requests copy the records: each is replaced whole, never changed in place
                self.steps.append(started)
            try:
                metadata, then = RUNNERS.get(ready["Type"], unsupported)(self, ready)
                outcome = {"StepStatus": "Succeeded", "Metadata": metadata}
                done.add(ready["Name"])
                pending.extend(then)
            except StepFailed as failed:
                failure = str(failed)
                outcome = {"StepStatus": "Failed", "FailureReason": failure, "Metadata": getattr(failed, "metadata", {})}
            except Exception as crash:  # a defect in this emulator: reported as the step's failure, never lost
                failure = f"InternalServerError: {type(crash).__name__}: {crash}"
                outcome = {"StepStatus": "Failed", "FailureReason": failure}
                traceback.print_exc()
            with LOCK:
                self.steps[-1] = {**started, **outcome, "EndTime": _now()}
            print(f"pipeline {self.pipeline.pipeline_name} {self.id}: {ready['Name']} {outcome['StepStatus']}"
                  + (f" ({failure})" if failure else ""), file=sys.stderr, flush=True)
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
        with LOCK:
            self.execution.pipeline_execution_status = "Failed" if failure else "Succeeded"
            self.execution.pipeline_execution_failure_reason = failure
            self.execution.last_modified_time = _now()

    def container(self) -> "Container":
        self.folders.append(Path(tempfile.mkdtemp(prefix=f"pipeline-{self.id}-")))
        return Container(self.folders[-1])

    def credentials(self, role_arn: str | None) -> dict[str, str]:
        """The job role's temporary credentials, as a SageMaker job's container gets them, for the SDK calls
        a step script makes (to the emulator, whose server set SERVICE_ENDPOINT; in-process moto has none)."""
        if not SERVICE_ENDPOINT:
            return {}
        if not role_arn:
            raise StepFailed("ClientError: the job has no RoleArn")
        from moto.sts.models import sts_backends

        with LOCK:
            role = sts_backends[self.backend.account_id]["aws"].assume_role(self.backend.region_name, "SageMaker", role_arn, None, 3600, None)
        region = self.backend.region_name
        return {**SERVICE_ENDPOINT, "AWS_ACCESS_KEY_ID": role.access_key_id, "AWS_SECRET_ACCESS_KEY": role.secret_access_key,
                "AWS_SESSION_TOKEN": role.session_token, "AWS_REGION": region, "AWS_DEFAULT_REGION": region}

    def job_name(self, step: dict[str, Any]) -> str:
        return f"pipelines-{self.id}-{step['Name']}"[:63]

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.backend.region_name}:{self.backend.account_id}:{kind}/{name.lower()}"


def typed(parameter: dict[str, Any], value: Any) -> Any:
    """A parameter's value as its declared Type (a start passes every value as a string)."""
    kind = parameter.get("Type", "String")
    if value is None or not isinstance(value, str) or kind == "String":
        return value
    if kind == "Boolean":
        return value.lower() == "true"
    try:
        return int(value) if kind == "Integer" else float(value)
    except ValueError:
        raise ValueError(f"parameter {parameter['Name']} is {kind}, not {value!r}") from None


def walk(value: Any, path: str, whole: str) -> Any:
    """Follow `A.B['name'][0].C` through a step's properties; a list indexed by a name matches the
    item whose *Name field has it (Outputs['train'] is the output named train)."""
    for attribute, name, index in _TOKEN.findall(path):
        if attribute and isinstance(value, dict) and attribute in value:
            value = value[attribute]
        elif name and isinstance(value, list):
            value = next((item for item in value if isinstance(item, dict) and name in [v for k, v in item.items() if k.endswith("Name")]), None)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            value = None
        if value is None:
            raise StepFailed(f"ClientError: cannot resolve {{Get: {whole}}}")
    return value


def dependencies(step: dict[str, Any]) -> set[str]:
    named = set(re.findall(r'"Steps\.([A-Za-z0-9_-]+)\.', json.dumps(step.get("Arguments", {}))))
    return set(step.get("DependsOn", [])) | named


def _now() -> Any:
    from moto.core.utils import utcnow

    return utcnow()


# --- containers ------------------------------------------------------------------------------

class Container:
    """A job's /opt/ml, as a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def local(self, path: str) -> Path:
        if not path.startswith(CONTAINER_ROOT + "/"):
            raise StepFailed(f"ClientError: {path} is outside {CONTAINER_ROOT}")
        return self.root / path.removeprefix("/")

    def rewrite(self, arg: str) -> str:
        return str(self.local(arg)) if arg.startswith(CONTAINER_ROOT + "/") else arg

    def run(self, entrypoint: list[str] | None, arguments: list[str] | None, environment: dict[str, str], timeout: int, aws: dict[str, str] | None = None) -> None:
        if not entrypoint or entrypoint[0] not in ("python", "python3"):
            raise StepFailed(f"ClientError: the emulator runs `python3 <script>` entrypoints only, not {entrypoint}")
        command = [sys.executable, *map(self.rewrite, entrypoint[1:]), *map(self.rewrite, arguments or [])]
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.root), "PYTHONDONTWRITEBYTECODE": "1", **(aws or {}), **environment}
        try:
            done = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise StepFailed(f"ClientError: the job ran longer than its MaxRuntimeInSeconds ({timeout})") from None
        if done.returncode != 0:
            tail = [line for line in (done.stderr or done.stdout).strip().splitlines() if line.strip()][-1:] or [f"exit code {done.returncode}"]
            raise StepFailed(f"AlgorithmError: {tail[0]}")


def pull(run: Execution, image: str | None, role_arn: str | None) -> None:
    """The job's image must be pullable, as SageMaker pulls it before the job starts (emulator/images.py)."""
    from emulator import images

    with LOCK:
        try:
            images.check(image or "", role_arn, run.backend.account_id)
        except images.NotPullable as error:
            raise StepFailed(f"ClientError: {error}") from None


def processing(run: Execution, step: dict[str, Any]) -> tuple[dict[str, Any], list]:
    args = run.resolve(step["Arguments"])
    pull(run, args.get("AppSpecification", {}).get("ImageUri"), args.get("RoleArn"))
    name = run.job_name(step)
    box = run.container()
    for source in args.get("ProcessingInputs", []):
        download(source["S3Input"]["S3Uri"], box.local(source["S3Input"]["LocalPath"]))
    outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
    for output in outputs:
        box.local(output["S3Output"]["LocalPath"]).mkdir(parents=True, exist_ok=True)
    app = args["AppSpecification"]
    environment = {k: str(v) for k, v in (args.get("Environment") or {}).items()}
    if app.get("ContainerEntrypoint"):
        box.run(app["ContainerEntrypoint"], app.get("ContainerArguments"), environment, args.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 3600), run.credentials(args.get("RoleArn")))
    elif app["ImageUri"].split("/")[-1].split(":")[0] == ANALYZER_REPOSITORY:
        from emulator import model_monitor

        try:
            model_monitor.run_analyzer({k: box.rewrite(v) for k, v in environment.items()})
        except model_monitor.AnalyzerError as error:
            raise StepFailed(f"AlgorithmError: {error}") from None
    else:
        raise StepFailed(f"ClientError: the emulator does not run image {app['ImageUri']} (it runs `python3 <script>` entrypoints and Model Monitor's analyzer)")
    for output in outputs:
        upload(box.local(output["S3Output"]["LocalPath"]), output["S3Output"]["S3Uri"])
    for spec in step.get("PropertyFiles", []):
        output = next(o for o in outputs if o["OutputName"] == spec["OutputName"])
        path = box.local(output["S3Output"]["LocalPath"]) / spec["FilePath"]
        try:
            run.property_files[(step["Name"], spec["PropertyFileName"])] = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise StepFailed(f"ClientError: property file {spec['FilePath']} of {spec['OutputName']} unreadable: {error}") from None
    arn = run.arn("processing-job", name)
    run.properties[step["Name"]] = {**args, "ProcessingJobName": name, "ProcessingJobArn": arn, "ProcessingJobStatus": "Completed"}
    return {"ProcessingJob": {"Arn": arn}}, []


def training(run: Execution, step: dict[str, Any]) -> tuple[dict[str, Any], list]:
    args = run.resolve(step["Arguments"])
    pull(run, args.get("AlgorithmSpecification", {}).get("TrainingImage"), args.get("RoleArn"))
    name = run.job_name(step)
    box = run.container()
    environment = {"SM_MODEL_DIR": str(box.local("/opt/ml/model")), "SM_HPS": json.dumps(args.get("HyperParameters", {})),
                   "SM_INPUT_CONFIG_DIR": str(box.local("/opt/ml/input/config")), "SM_OUTPUT_DATA_DIR": str(box.local("/opt/ml/output/data"))}
    for channel in args.get("InputDataConfig", []):
        folder = box.local(f"/opt/ml/input/data/{channel['ChannelName']}")
        download(channel["DataSource"]["S3DataSource"]["S3Uri"], folder)
        environment[f"SM_CHANNEL_{channel['ChannelName'].upper()}"] = str(folder)
    config = box.local("/opt/ml/input/config")
    config.mkdir(parents=True, exist_ok=True)
    (config / "hyperparameters.json").write_text(json.dumps(args.get("HyperParameters", {})))
    model_dir = box.local("/opt/ml/model")
    model_dir.mkdir(parents=True, exist_ok=True)
    spec = args["AlgorithmSpecification"]
    environment.update({k: str(v) for k, v in (args.get("Environment") or {}).items()})
    box.run(spec.get("ContainerEntrypoint"), spec.get("ContainerArguments"), environment, args.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 86400), run.credentials(args.get("RoleArn")))
    packed = box.root / "model.tar.gz"
    with tarfile.open(packed, "w:gz") as tar:
        for item in sorted(model_dir.iterdir()):
            tar.add(item, arcname=item.name)
    artifact = f"{args['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{name}/output/model.tar.gz"
    bucket, key = split_uri(artifact)
    with LOCK:
        bucket_backend(bucket).put_object(bucket, key, packed.read_bytes())
    arn = run.arn("training-job", name)
    run.properties[step["Name"]] = {**args, "TrainingJobName": name, "TrainingJobArn": arn, "TrainingJobStatus": "Completed",
                                    "ModelArtifacts": {"S3ModelArtifacts": artifact}}
    return {"TrainingJob": {"Arn": arn}}, []


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b, "GreaterThan": lambda a, b: a > b, "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "LessThan": lambda a, b: a < b, "LessThanOrEqualTo": lambda a, b: a <= b,
}


def holds(run: Execution, condition: dict[str, Any]) -> bool:
    kind = condition["Type"]
    if kind in _COMPARE:
        left, right = run.resolve(condition["LeftValue"]), run.resolve(condition["RightValue"])
        try:
            return _COMPARE[kind](left, right)
        except TypeError:
            raise StepFailed(f"ClientError: cannot compare {left!r} and {right!r}") from None
    if kind == "In":
        return run.resolve(condition["QueryValue"]) in run.resolve(condition["Values"])
    if kind == "Not":
        return not holds(run, condition["Expression"])
    if kind == "Or":
        return any(holds(run, c) for c in condition["Conditions"])
    raise StepFailed(f"ClientError: condition type {kind} is not emulated")


def condition(run: Execution, step: dict[str, Any]) -> tuple[dict[str, Any], list]:
    outcome = all(holds(run, c) for c in step["Arguments"]["Conditions"])
    run.properties[step["Name"]] = {"Outcome": outcome}
    return {"Condition": {"Outcome": str(outcome).lower()}}, list(step["Arguments"]["IfSteps" if outcome else "ElseSteps"])


def _sagemaker(run: Execution, name_or_arn: str) -> tuple[Any, str]:
    """The backend holding a named resource (the pipeline's account, or the account of an ARN)."""
    from moto.sagemaker.models import sagemaker_backends

    match = re.fullmatch(r"arn:[\w-]+:sagemaker:([\w-]+):(\d{12}):[\w-]+/(.+)", name_or_arn)
    if match:
        return sagemaker_backends[match[2]][match[1]], match[3]
    return run.backend, name_or_arn


def model(run: Execution, step: dict[str, Any]) -> tuple[dict[str, Any], list]:
    args = run.resolve(step["Arguments"])
    name = run.job_name(step)
    with LOCK:
        created = run.backend.create_model(model_name=name, execution_role_arn=args["ExecutionRoleArn"], primary_container=args.get("PrimaryContainer"),
                                           vpc_config=args.get("VpcConfig"), containers=args.get("Containers"), tags=[])
    run.properties[step["Name"]] = {**args, "ModelName": name, "ModelArn": created.arn}
    return {"Model": {"Arn": created.arn}}, []


def register(run: Execution, step: dict[str, Any]) -> tuple[dict[str, Any], list]:
    args = run.resolve(step["Arguments"])
    backend, group = _sagemaker(run, args["ModelPackageGroupName"])
    with LOCK:
        if group not in backend.model_package_groups:
            raise StepFailed(f"ClientError: model package group {args['ModelPackageGroupName']} does not exist")
        arn = backend.create_model_package(
            model_package_name=None, model_package_group_name=group, model_package_description=args.get("ModelPackageDescription"),
            inference_specification=args.get("InferenceSpecification"), validation_specification=None, source_algorithm_specification=None,
            certify_for_marketplace=False, tags=args.get("Tags"), model_approval_status=args.get("ModelApprovalStatus", "PendingManualApproval"),
            metadata_properties={"GeneratedBy": run.execution.arn}, model_metrics=args.get("ModelMetrics"), client_token=None,
            customer_metadata_properties=args.get("CustomerMetadataProperties"), drift_check_baselines=args.get("DriftCheckBaselines"),
            domain=None, task=None, sample_payload_url=None, additional_inference_specifications=None,
        )
    run.properties[step["Name"]] = {"ModelPackageArn": arn}
    return {"RegisterModel": {"Arn": arn}}, []


def fail(run: Execution, step: dict[str, Any]) -> tuple[dict[str, Any], list]:
    message = str(run.resolve(step["Arguments"].get("ErrorMessage", "")))
    failed = StepFailed(message)
    failed.metadata = {"Fail": {"ErrorMessage": message}}  # type: ignore[attr-defined]
    raise failed


def unsupported(run: Execution, step: dict[str, Any]) -> tuple[dict[str, Any], list]:
    raise StepFailed(f"ClientError: step type {step['Type']} is not emulated")


RUNNERS: dict[str, Callable[[Execution, dict[str, Any]], tuple[dict[str, Any], list]]] = {
    "Processing": processing, "Training": training, "Condition": condition, "Model": model, "RegisterModel": register, "Fail": fail,
}
