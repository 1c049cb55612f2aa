"""One model's serving process, as the emulator runs it in place of the inference container:
python model_worker.py <model dir> <program>.

Loads <model dir>/code/<program> (SAGEMAKER_PROGRAM) and answers requests the way SageMaker's
inference toolkit does: model_fn once, then input_fn -> predict_fn -> output_fn per request. A
function the program leaves out falls back to the toolkit's JSON default. Protocol on stdin and
stdout, one JSON object per line: {"body", "content_type", "accept"} (body base64) in,
{"body", "content_type"} or {"error"} out; the first line out is {"ready": true} or {"error"}.
It ends when stdin closes, so it never outlives the emulator.
"""
from __future__ import annotations

import base64
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any


def defaults() -> dict[str, Any]:
    import numpy as np

    return {
        "input_fn": lambda body, content_type: np.asarray(json.loads(body)),
        "predict_fn": lambda data, model: model.predict(data),
        "output_fn": lambda prediction, accept: json.dumps(prediction.tolist() if hasattr(prediction, "tolist") else prediction),
    }


def load(model_dir: Path, program: str) -> tuple[Any, dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("inference_program", model_dir / "code" / program)
    if spec is None or spec.loader is None or not (model_dir / "code" / program).is_file():
        raise RuntimeError(f"the model artifact has no code/{program}")
    sys.path.insert(0, str(model_dir / "code"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "model_fn"):
        raise RuntimeError(f"code/{program} has no model_fn")
    handlers = {name: getattr(module, name, fallback) for name, fallback in defaults().items()}
    return module.model_fn(str(model_dir)), handlers


def answer(model: Any, handlers: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    body = base64.b64decode(request["body"])
    data = handlers["input_fn"](body, request["content_type"])
    result = handlers["output_fn"](handlers["predict_fn"](data, model), request["accept"])
    encoded = result.encode() if isinstance(result, str) else bytes(result)
    return {"body": base64.b64encode(encoded).decode(), "content_type": request["accept"]}


def main() -> None:
    model_dir, program = Path(sys.argv[1]), sys.argv[2]
    out = sys.stdout
    sys.stdout = sys.stderr  # what the program prints goes to the log, not into the protocol
    try:
        model, handlers = load(model_dir, program)
    except Exception as error:  # noqa: BLE001 - reported to the emulator, which answers ModelError
        out.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n")
        out.flush()
        return
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            reply = answer(model, handlers, json.loads(line))
        except Exception as error:  # noqa: BLE001 - one bad request must not stop the model
            reply = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
