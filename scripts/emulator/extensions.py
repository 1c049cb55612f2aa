"""Extensions that close gaps of moto's server for this project's resources and Lambdas.

Each extension adds or corrects one API the way moto's own backends are built: a backend method
holding the state and a response method parsing the request. `install()` registers them all; it is
idempotent and works both for `mock_aws()` in tests and for the server the launcher starts.
Every extension has a boto3 round-trip test in tests/emulator/ and a row in the README.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

MOTO_VERSION = "5.2.5"  # the version these extensions were written against (requirements.lock pins it)


@dataclass(frozen=True)
class Extension:
    service: str
    api: str
    kind: str  # "missing" (moto lacks it) or "fix" (moto answers wrongly)
    why: str
    install: Callable[[], None]


def _sagemaker_update_endpoint() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse
    from moto.core.utils import utcnow

    def update_endpoint(self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str, deployment_config: dict[str, Any] | None) -> FakeEndpoint:
        endpoint = self.endpoints.get(endpoint_name)
        if endpoint is None:
            arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
            raise ValidationError(message=f"Could not find endpoint '{arn}'.")
        if endpoint.endpoint_status != "InService":
            raise ValidationError(message=f'Cannot update in-progress endpoint "{endpoint.arn}".')
        try:
            config = self.describe_endpoint_config(endpoint_config_name)
        except KeyError:
            raise ValidationError(message=f"Could not find endpoint configuration '{endpoint_config_name}'.")
        # AWS runs the blue/green rollout asynchronously; the emulator completes it at once.
        endpoint.endpoint_config_name = endpoint_config_name
        endpoint.production_variants = endpoint._process_production_variants(config["ProductionVariants"])
        endpoint.data_capture_config = config["DataCaptureConfig"]
        endpoint.last_deployment_config = deployment_config
        endpoint.last_modified_time = utcnow()
        return endpoint

    def update_endpoint_response(self: SageMakerResponse) -> ActionResult:
        endpoint = self.sagemaker_backend.update_endpoint(
            endpoint_name=self._get_param("EndpointName"),
            endpoint_config_name=self._get_param("EndpointConfigName"),
            deployment_config=self._get_param("DeploymentConfig"),
        )
        return ActionResult({"EndpointArn": endpoint.arn})

    SageMakerModelBackend.update_endpoint = update_endpoint
    SageMakerResponse.update_endpoint = update_endpoint_response


EXTENSIONS: tuple[Extension, ...] = (
    Extension("sagemaker", "UpdateEndpoint", "missing", "the deploy function rolls out each approved model with a blue/green canary", _sagemaker_update_endpoint),
)

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    for extension in EXTENSIONS:
        extension.install()
    _installed = True
