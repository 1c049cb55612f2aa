"""Feature Store's runtime on the emulator (moto has none): PutRecord, GetRecord, DeleteRecord and
BatchGetRecord, with the offline store written as SageMaker documents it.

Hand-written: no maintained emulator of the feature-store runtime exists. Each feature group keeps
its online records (latest per record identifier, by event time); every write also appends a row to
the offline store: a Parquet object under the group's ResolvedOutputS3Uri, partitioned by event time
(year=/month=/day=/hour=), holding the features plus write_time, api_invocation_time and is_deleted,
the columns AWS adds. Emulated rather than reproduced: AWS batches rows into the offline store within
about 15 minutes; here each write lands at once as one object; a group named by its ARN is reached from
any account, where AWS needs it shared through RAM (IAM and RAM are not enforced). Registered like a built-in moto service
(`featurestore-runtime.sagemaker.<region>` for in-process moto) and on the sagemaker API paths the
server routes the runtime's requests to (both sign as `sagemaker`).
"""
from __future__ import annotations

import io
import json
import re
import sys
import types
import uuid
from datetime import datetime, timezone
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

SERVICE = "sagemakerfeaturestoreruntime"
URL_BASES = [r"https?://featurestore-runtime\.sagemaker\.(.+)\.amazonaws\.com"]
URL_PATHS = ("{0}/FeatureGroup/(?P<name>.+)$", "{0}/BatchGetRecord$")  # a name, or an ARN (its slash arrives decoded)
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")  # the two ISO-8601 forms AWS accepts
ARROW_TYPES = {"String": "string", "Integral": "int64", "Fractional": "float64"}


class ValidationError(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationError", message)


class ResourceNotFound(JsonRESTError):
    code = 404

    def __init__(self, message: str) -> None:
        super().__init__("ResourceNotFound", message)


def find_group(account: str, region: str, name: str) -> Any:
    """A feature group by name, or by ARN in any account (a group shared through AWS RAM)."""
    from moto.sagemaker.models import sagemaker_backends

    if name.startswith("arn:"):
        parts = name.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("feature-group/"):
            raise ValidationError(f"{name} is not a feature group ARN.")
        region, account, name = parts[3], parts[4], parts[5].split("/", 1)[1]
    groups = sagemaker_backends[account][region].feature_groups
    found = next((g for g in groups.values() if g.feature_group_name.lower() == name.lower()), None)
    if found is None:
        raise ResourceNotFound(f"Resource Not Found: FeatureGroup '{name}' does not exist.")
    return found


def event_time(group: Any, record: dict[str, str]) -> datetime:
    value = record.get(group.event_time_feature_name)
    if value is None:
        raise ValidationError(f"The record is missing its event time feature {group.event_time_feature_name}.")
    kind = types_of(group)[group.event_time_feature_name]
    try:
        if kind == "Fractional":
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        if kind == "String" and ISO_TIME.match(value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        pass
    raise ValidationError(f"Event time {value!r} of {group.event_time_feature_name} is not an ISO-8601 time (yyyy-MM-ddTHH:mm:ssZ) or epoch seconds.")


def types_of(group: Any) -> dict[str, str]:
    return {d["FeatureName"]: d["FeatureType"] for d in group.feature_definitions}


def has_online_store(group: Any) -> bool:
    return bool((getattr(group, "online_store_config", None) or {}).get("EnableOnlineStore"))


def online_store(group: Any) -> dict[str, dict[str, str]]:
    if not hasattr(group, "mlops_online_records"):
        group.mlops_online_records = {}
    return group.mlops_online_records


def parse_record(group: Any, items: Any) -> dict[str, str]:
    known = types_of(group)
    if not isinstance(items, list) or not items:
        raise ValidationError("Record must be a non-empty list of {FeatureName, ValueAsString}.")
    record = {}
    for item in items:
        name, value = (item or {}).get("FeatureName"), (item or {}).get("ValueAsString")
        if name not in known:
            raise ValidationError(f"Feature {name!r} is not a feature of {group.feature_group_name}.")
        if not isinstance(value, str):
            raise ValidationError(f"Feature {name} has no ValueAsString.")
        if name in record:
            raise ValidationError(f"Feature {name} appears more than once in the record.")
        if known[name] in ("Integral", "Fractional"):
            try:
                int(value) if known[name] == "Integral" else float(value)
            except ValueError:
                raise ValidationError(f"Feature {name} is {known[name]}; {value!r} is not.") from None
        record[name] = value
    if group.record_identifier_feature_name not in record:
        raise ValidationError(f"The record is missing its record identifier feature {group.record_identifier_feature_name}.")
    event_time(group, record)
    return record


def write_offline(group: Any, record: dict[str, str], deleted: bool, now: datetime) -> str:
    """One Parquet object with the record's row, where AWS's batches land; returns its S3 URI."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from emulator.pipelines import StepFailed, bucket_backend, split_uri

    known = types_of(group)
    columns = {name: pa.array([None if record.get(name) is None else (int(record[name]) if kind == "Integral" else float(record[name]) if kind == "Fractional" else record[name])],
                              type=getattr(pa, ARROW_TYPES[kind])()) for name, kind in known.items()}
    stamp = pa.array([now.replace(tzinfo=None)], type=pa.timestamp("ms"))
    table = pa.table({**columns, "write_time": stamp, "api_invocation_time": stamp, "is_deleted": pa.array([deleted])})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    when = event_time(group, record)
    uri = (f"{group.offline_store_config['S3StorageConfig']['ResolvedOutputS3Uri']}/year={when:%Y}/month={when:%m}/day={when:%d}/hour={when:%H}/"
           f"{now:%Y%m%dT%H%M%SZ}_{uuid.uuid4().hex[:16]}.parquet")
    try:
        bucket, key = split_uri(uri)
        bucket_backend(bucket).put_object(bucket, key, buffer.getvalue())
    except StepFailed as error:  # the group's offline store bucket is gone
        raise ValidationError(f"The offline store of {group.feature_group_name} cannot be written: {error}") from None
    return uri


def stores(body: dict[str, Any] | None, query: dict[str, Any]) -> set[str]:
    chosen = (body or {}).get("TargetStores") or query.get("TargetStores") or ["OnlineStore", "OfflineStore"]
    unknown = set(chosen) - {"OnlineStore", "OfflineStore"}
    if unknown:
        raise ValidationError(f"TargetStores must be OnlineStore or OfflineStore, not {sorted(unknown)}.")
    return set(chosen)


def as_items(record: dict[str, str], names: list[str] | None) -> list[dict[str, str]]:
    return [{"FeatureName": k, "ValueAsString": v} for k, v in record.items() if not names or k in names]


class FeatureStoreRuntimeResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="sagemaker-featurestore-runtime")

    def _now(self) -> datetime:
        from moto.core.utils import utcnow

        return utcnow().replace(tzinfo=timezone.utc)

    def _group(self) -> Any:
        from urllib.parse import unquote

        return find_group(self.current_account, self.region, unquote(self.path.split("?")[0]).split("/FeatureGroup/", 1)[1])

    def _query(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.querystring.items()}

    def put_record(self) -> str:
        group = self._group()
        body = json.loads(self.body or "{}")
        record = parse_record(group, body.get("Record"))
        chosen = stores(body, {})
        online = online_store(group)
        current = online.get(record[group.record_identifier_feature_name])
        if "OnlineStore" in chosen and has_online_store(group) and (current is None or event_time(group, record) >= event_time(group, current)):
            online[record[group.record_identifier_feature_name]] = record  # an older event time never replaces a newer record
        if "OfflineStore" in chosen:
            write_offline(group, record, False, self._now())
        return "{}"

    def get_record(self) -> str:
        group = self._group()
        query = self._query()
        identifier = (query.get("RecordIdentifierValueAsString") or [None])[0]
        if identifier is None:
            raise ValidationError("RecordIdentifierValueAsString is required.")
        if not has_online_store(group):
            raise ValidationError(f"The feature group {group.feature_group_name} has no online store: read its records from the offline store.")
        found = online_store(group).get(identifier)
        return json.dumps({"Record": as_items(found, query.get("FeatureName"))} if found else {})

    def delete_record(self) -> str:
        group = self._group()
        query = self._query()
        identifier, when = (query.get("RecordIdentifierValueAsString") or [None])[0], (query.get("EventTime") or [None])[0]
        if identifier is None or when is None:
            raise ValidationError("RecordIdentifierValueAsString and EventTime are required.")
        record = {group.record_identifier_feature_name: identifier, group.event_time_feature_name: when}
        event_time(group, record)
        chosen = stores(None, query)
        if "OnlineStore" in chosen:
            online_store(group).pop(identifier, None)
        if "OfflineStore" in chosen:
            write_offline(group, record, True, self._now())
        return "{}"

    def batch_get_record(self) -> str:
        """A missing record is left out, as AWS does; a missing group is an error per identifier."""
        records, errors = [], []
        for wanted in json.loads(self.body or "{}").get("Identifiers", []):
            name, identifiers = wanted.get("FeatureGroupName", ""), wanted.get("RecordIdentifiersValueAsString", [])
            try:
                group = find_group(self.current_account, self.region, name)
            except ResourceNotFound as error:
                errors.extend({"FeatureGroupName": name, "RecordIdentifierValueAsString": i, "ErrorCode": "ResourceNotFound", "ErrorMessage": error.message} for i in identifiers)
                continue
            found = [(i, online_store(group)[i]) for i in identifiers if i in online_store(group)]
            records.extend({"FeatureGroupName": name, "RecordIdentifierValueAsString": i, "Record": as_items(r, wanted.get("FeatureNames"))} for i, r in found)
        return json.dumps({"Records": records, "Errors": errors, "UnprocessedIdentifiers": []})


def register() -> None:
    """Route the runtime's requests here: as moto.sagemakerfeaturestoreruntime for in-process moto, and
    on the sagemaker API backend's paths for the server (its requests sign as sagemaker)."""
    from moto import backend_index
    from moto.core.base_backend import BackendDict, BaseBackend
    from moto.sagemaker import urls as sagemaker_urls

    handler = FeatureStoreRuntimeResponse().dispatch
    for path in URL_PATHS:
        sagemaker_urls.url_paths[path] = handler
    if f"moto.{SERVICE}" in sys.modules:
        return
    backend = type("FeatureStoreRuntimeBackend", (BaseBackend,), {"__module__": f"moto.{SERVICE}.models"})
    package = types.ModuleType(f"moto.{SERVICE}")
    package.__path__ = []
    models = types.ModuleType(f"moto.{SERVICE}.models")
    models.backends = BackendDict(backend, "sagemaker")  # its regions
    package.sagemakerfeaturestoreruntime_backends = models.backends
    urls = types.ModuleType(f"moto.{SERVICE}.urls")
    urls.url_bases = URL_BASES
    urls.url_paths = dict.fromkeys(URL_PATHS, handler)
    sys.modules.update({f"moto.{SERVICE}": package, f"moto.{SERVICE}.models": models, f"moto.{SERVICE}.urls": urls})
    if all(name != SERVICE for name, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append((SERVICE, re.compile(URL_BASES[0])))
