"""Model Monitor record preprocessor of the data-quality schedule (RecordPreprocessorSourceUri).

The endpoint captures requests as {"instances": [[x0, x1, ...], ...]}. Model Monitor reads tabular
or flat JSON only, so this turns one capture record into one flat row per instance, named as the
analyzer names the columns of the headerless baseline the pipeline computes (_c0, _c1, ...): the
features only, in the order the model takes them. Requests that are not JSON instances are skipped
(an empty list), so one malformed request cannot fail the hour's monitoring.
"""
import base64
import json


def rows(data, encoding):
    if encoding == "BASE64":
        data = base64.b64decode(data).decode("utf-8")
    try:
        instances = json.loads(data)["instances"]
    except (ValueError, KeyError, TypeError):
        return []
    if not isinstance(instances, list):
        return []
    return [{f"_c{i}": value for i, value in enumerate(row)} for row in instances if isinstance(row, list)]


def preprocess_handler(inference_record, logger=None):
    """Model Monitor's contract: a flat dict per row, or a list of them (an empty list skips the record)."""
    endpoint_input = inference_record.endpoint_input
    return rows(endpoint_input.data, getattr(endpoint_input, "encoding", "JSON"))
