"""CodeStar Connections for moto, which has no such service: connections are created PENDING,
as on AWS, where an administrator completes the handshake in the console.

Registered like a built-in moto service: modules `moto.codestarconnections{,.models,.urls}` and a
URL pattern in moto's backend index, so both `mock_aws()` and the server route to it.
"""
from __future__ import annotations

import json
import re
import sys
import types
import uuid
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

SERVICE = "codestarconnections"
URL_BASES = [r"https?://codestar-connections\.(.+)\.amazonaws\.com"]


class ResourceNotFound(JsonRESTError):
    def __init__(self, arn: str) -> None:
        super().__init__("ResourceNotFoundException", f"Connection {arn} does not exist")


class Connection(BaseModel):
    def __init__(self, account_id: str, region: str, name: str, provider_type: str | None, host_arn: str | None, tags: list[dict[str, str]]) -> None:
        self.arn = f"arn:aws:codestar-connections:{region}:{account_id}:connection/{uuid.uuid4()}"
        self.name, self.provider_type, self.host_arn, self.owner = name, provider_type, host_arn, account_id
        self.tags = list(tags)

    def describe(self) -> dict[str, Any]:
        data = {"ConnectionName": self.name, "ConnectionArn": self.arn, "OwnerAccountId": self.owner, "ConnectionStatus": "PENDING"}
        if self.provider_type:
            data["ProviderType"] = self.provider_type
        if self.host_arn:
            data["HostArn"] = self.host_arn
        return data


class CodeStarConnectionsBackend(BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.connections: dict[str, Connection] = {}

    def get(self, arn: str) -> Connection:
        if arn not in self.connections:
            raise ResourceNotFound(arn)
        return self.connections[arn]

    def create(self, name: str, provider_type: str | None, host_arn: str | None, tags: list[dict[str, str]]) -> Connection:
        connection = Connection(self.account_id, self.region_name, name, provider_type, host_arn, tags)
        self.connections[connection.arn] = connection
        return connection


class CodeStarConnectionsResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="codestar-connections")

    @property
    def backend(self) -> CodeStarConnectionsBackend:
        return codestarconnections_backends[self.current_account][self.region]

    def create_connection(self) -> str:
        connection = self.backend.create(self._get_param("ConnectionName"), self._get_param("ProviderType"), self._get_param("HostArn"), self._get_param("Tags") or [])
        return json.dumps({"ConnectionArn": connection.arn, "Tags": connection.tags})

    def get_connection(self) -> str:
        return json.dumps({"Connection": self.backend.get(self._get_param("ConnectionArn")).describe()})

    def list_connections(self) -> str:
        provider = self._get_param("ProviderTypeFilter")
        found = [c.describe() for c in self.backend.connections.values() if provider in (None, c.provider_type)]
        return json.dumps({"Connections": found})

    def delete_connection(self) -> str:
        self.backend.get(self._get_param("ConnectionArn"))
        del self.backend.connections[self._get_param("ConnectionArn")]
        return "{}"

    def list_tags_for_resource(self) -> str:
        return json.dumps({"Tags": self.backend.get(self._get_param("ResourceArn")).tags})

    def tag_resource(self) -> str:
        connection = self.backend.get(self._get_param("ResourceArn"))
        new = {t["Key"]: t for t in self._get_param("Tags")}
        connection.tags = [t for t in connection.tags if t["Key"] not in new] + list(new.values())
        return "{}"

    def untag_resource(self) -> str:
        connection = self.backend.get(self._get_param("ResourceArn"))
        keys = set(self._get_param("TagKeys"))
        connection.tags = [t for t in connection.tags if t["Key"] not in keys]
        return "{}"


codestarconnections_backends = BackendDict(CodeStarConnectionsBackend, "codestar-connections")


def register() -> None:
    """Expose this module to moto as moto.codestarconnections (package, models, urls)."""
    from moto import backend_index

    package = types.ModuleType(f"moto.{SERVICE}")
    package.__path__ = []  # a package, so `moto.codestarconnections.urls` imports
    package.codestarconnections_backends = codestarconnections_backends
    models = sys.modules[__name__]
    urls = types.ModuleType(f"moto.{SERVICE}.urls")
    urls.url_bases = URL_BASES
    urls.url_paths = {"{0}/$": CodeStarConnectionsResponse.dispatch}
    CodeStarConnectionsBackend.__module__ = f"moto.{SERVICE}.models"  # moto finds urls next to models
    sys.modules.update({f"moto.{SERVICE}": package, f"moto.{SERVICE}.models": models, f"moto.{SERVICE}.urls": urls})
    if all(name != SERVICE for name, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append((SERVICE, re.compile(URL_BASES[0])))
