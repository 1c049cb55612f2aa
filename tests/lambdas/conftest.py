from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

EVENTS = Path(__file__).parent / "events"


@pytest.fixture
def event():
    """Load a JSON event by name; returns a fresh, mutable copy each call."""
    def load(name: str, **detail: Any) -> dict[str, Any]:
        data = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
        data.setdefault("detail", {}).update(detail) if detail else None
        return data
    return load

