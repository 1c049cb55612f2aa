#!/usr/bin/env python3
"""Regenerate tests/inventories/<tier>.yaml from a fresh offline plan; review the diff, then commit.

Counts are rewritten whole. Values are refreshed for the addresses and attributes the file already
pins (add an address with the attributes you care about, then regenerate to fill them in).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from plans import tier_plan  # noqa: E402

HEADER = "# Expected plan of environments/{tier} with demo.tfvars. Regenerate: .venv/bin/python scripts/regen_inventory.py {tier}\n"


def planned_resources(plan) -> dict[str, dict]:
    return {address: change["change"]["after"] or {} for address, change in plan.resource_changes.items() if change["change"]["actions"] != ["no-op"]}


def counts(plan) -> dict[str, int]:
    return dict(sorted(Counter(c["type"] for c in plan.resource_changes.values() if c["change"]["actions"] != ["no-op"]).items()))


def regenerate(tier: str) -> Path:
    path = ROOT / "tests" / "inventories" / f"{tier}.yaml"
    current = yaml.safe_load(path.read_text()) if path.exists() else {}
    resources = planned_resources(tier_plan(tier))
    values = {}
    for address, attributes in (current.get("values") or {}).items():
        if address not in resources:
            print(f"dropped {address}: no longer planned", file=sys.stderr)
            continue
        values[address] = {name: resources[address].get(name) for name in attributes}
    document = {"values": values, "counts": counts(tier_plan(tier))}
    path.write_text(HEADER.format(tier=tier) + yaml.safe_dump(document, sort_keys=False, width=120))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tiers", nargs="+", choices=["small", "medium", "large"])
    for tier in parser.parse_args().tiers:
        print(f"wrote {regenerate(tier).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
