"""Test set-up: AWS test credentials for moto, and botocore's service models parsed once per process."""
from __future__ import annotations

import pytest
from botocore import loaders

import support  # noqa: F401  (sets the Terraform CLI config and builds the Lambda zips once)


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no endpoint override: moto intercepts every call in-process."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def share_botocore_models() -> None:
    """Each test's mock_aws() starts a new boto3 session, and each session parses the service models
    again (about 0.15 s per client, most of a Lambda test's set-up). The models are read-only files:
    parse each once per process, as one Lambda container does."""
    parsed: dict = {}
    for name in ("load_service_model", "load_data_with_path"):
        def shared(self, *args, _parse=getattr(loaders.Loader, name), _name=name, **kwargs):
            key = (_name, tuple(self.search_paths), args, tuple(sorted(kwargs.items())))
            if key not in parsed:
                parsed[key] = _parse(self, *args, **kwargs)
            return parsed[key]
        setattr(loaders.Loader, name, shared)


share_botocore_models()
