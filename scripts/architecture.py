#!/usr/bin/env python3
"""Architecture diagrams drawn from each tier's plan: docs/diagrams/<tier>.{png,svg,json}.

The graph (accounts, the capabilities inside them, the flows between them) is derived from what the
plan creates, so a toggle switched off disappears from the picture and one switched on appears.
<tier>.json is the graph itself; a test compares it with the current plan (nodes and edges, not pixels).

    architecture.py                 # every tier with build/plans/<tier>.json
    architecture.py --check         # exit 1 when a committed graph no longer matches its plan
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from policy import plan as plans  # noqa: E402

OUT = ROOT / "docs" / "diagrams"
ROLE_ORDER = ["dev", "data", "ops", "artifact", "cicd", "staging", "prod", "management"]


@dataclass(frozen=True)
class Capability:
    key: str  # node id suffix
    label: str
    icon: str  # diagrams class path
    present: Any  # (plan, role) -> bool


def role_of(resource) -> str:
    """The account role a resource belongs to: its role module (module.<role> or module.tier.module.<role>),
    else its provider alias. Medium passes dev's provider to five roles; the module still tells them apart."""
    match = re.match(r"^(?:module\.tier\.)?module\.(\w+)", resource.address)
    return match.group(1) if match and match.group(1) in ROLE_ORDER else resource.account_role


def has(*types: str, name: str = ""):
    return lambda plan, role: any(role_of(r) == role and name in r.address for r in plan.of_type(*types))


def deploy_spec(plan, role) -> bool:
    """An endpoint is deployed here: by a deploy function of this role, or through its CI/CD deploy role."""
    return (any(role_of(r) == role and "DEPLOYMENT_SPEC" in (r.get("environment", 0, "variables") or {}) for r in plan.of_type("aws_lambda_function"))
            or has("aws_sagemaker_endpoint")(plan, role) or has("aws_iam_role", name="aws_iam_role.deployer")(plan, role))


CAPABILITIES = [
    Capability("studio", "SageMaker Studio\n(VPC-only)", "diagrams.aws.ml.SagemakerNotebook", has("aws_sagemaker_domain")),
    Capability("code", "Code repository", "diagrams.aws.devtools.Codecommit", has("aws_codecommit_repository", "aws_codestarconnections_connection")),
    Capability("captured", "Captured data\n(replicas, labels)", "diagrams.aws.storage.S3", has("aws_s3_bucket", name="captured_bucket")),
    Capability("data", "Data buckets", "diagrams.aws.storage.S3", has("aws_s3_bucket", name="data_bucket")),
    Capability("lake", "Data lake\n(Lake Formation)", "diagrams.aws.analytics.LakeFormation", has("aws_lakeformation_permissions")),
    Capability("schedule", "Retraining schedule", "diagrams.aws.integration.Eventbridge", has("aws_scheduler_schedule")),
    Capability("pipeline", "Retraining pipeline\n(SageMaker Pipelines)", "diagrams.aws.ml.SagemakerTrainingJob", has("aws_sagemaker_pipeline")),
    Capability("monitor", "Model Monitor\n(data quality)", "diagrams.aws.ml.Sagemaker", has("aws_sagemaker_monitoring_schedule", "aws_sagemaker_data_quality_job_definition")),
    Capability("clarify", "Clarify monitors\n(bias, explainability)", "diagrams.aws.ml.Sagemaker", has("aws_cloudformation_stack", name="clarify")),
    Capability("trigger", "Retrain trigger", "diagrams.aws.compute.Lambda", has("aws_lambda_function", name="retrain")),
    Capability("registry", "Model registry", "diagrams.aws.ml.SagemakerModel", has("aws_sagemaker_model_package_group")),
    Capability("images", "ECR repositories", "diagrams.aws.compute.ECR", has("aws_ecr_repository")),
    Capability("models", "Model artifacts\n(versioned, object lock)", "diagrams.aws.storage.S3", has("aws_s3_bucket", name="models_bucket")),
    Capability("features", "Feature Store", "diagrams.aws.ml.Sagemaker", has("aws_sagemaker_feature_group")),
    Capability("pipeline_cd", "CodePipeline", "diagrams.aws.devtools.Codepipeline", has("aws_codepipeline")),
    Capability("build", "CodeBuild\n(deploy, smoke test)", "diagrams.aws.devtools.Codebuild", has("aws_codebuild_project", name=".deploy[")),
    Capability("image_build", "CodeBuild\n(container images)", "diagrams.aws.devtools.Codebuild", has("aws_codebuild_project", name=".image[")),
    Capability("deploy", "Deploy on approval", "diagrams.aws.compute.Lambda", has("aws_lambda_function", name="deploy_function")),
    Capability("endpoint", "SageMaker endpoint\n(canary, autoscaling)", "diagrams.aws.ml.Sagemaker", deploy_spec),
    Capability("alarms", "Rollback alarms", "diagrams.aws.management.Cloudwatch", has("aws_cloudwatch_metric_alarm", name="rollback")),
    Capability("api", "API Gateway\n(IAM auth)", "diagrams.aws.network.APIGateway", has("aws_api_gateway_rest_api")),
    Capability("inference", "Inference function", "diagrams.aws.compute.Lambda", has("aws_lambda_function", name="inference_function")),
    Capability("capture", "Captured data", "diagrams.aws.storage.S3", has("aws_s3_bucket", name="capture_bucket")),
    Capability("scps", "Organizations\n(OUs, SCPs)", "diagrams.aws.management.Organizations", has("aws_organizations_policy")),
]

# The flows of ../shared/DESIGN.md: (from, to, label, scope), drawn between present nodes. Scope
# "any" joins every pair across roles; "same" only nodes of one role (a stage's capture feeds its own
# monitor); "account" only nodes in one account (data scientists start pipelines of their own account);
# "dev" only from the dev role (the model code, not the cicd account's container source); "nolake"
# only when there is no data lake (which then holds the training data).
FLOWS = [
    ("schedule", "pipeline", "retrain", "any"),
    ("studio", "pipeline", "start by hand", "account"),
    ("data", "pipeline", "training data", "nolake"),
    ("lake", "pipeline", "training data", "any"),
    ("code", "pipeline", "step code", "dev"),
    ("code", "image_build", "Dockerfiles (on push)", "same"),
    ("pipeline", "models", "model artifact", "any"),
    ("pipeline", "registry", "register (pending approval)", "any"),
    ("registry", "deploy", "approve -> EventBridge", "any"),
    ("registry", "pipeline_cd", "approval event (EventBridge)", "any"),
    ("pipeline_cd", "build", "deploy, smoke test, approve", "any"),
    ("image_build", "images", "push (commit tag)", "any"),
    ("deploy", "endpoint", "deploy with canary", "any"),
    ("build", "endpoint", "assume deploy role, canary", "any"),
    ("alarms", "endpoint", "auto-rollback", "same"),
    ("api", "inference", "serve", "same"),
    ("inference", "endpoint", "invoke", "same"),
    ("endpoint", "capture", "capture", "same"),
    ("capture", "captured", "replicate (re-encrypt)", "any"),
    ("capture", "monitor", "compare with baseline", "same"),
    ("capture", "clarify", "bias, attributions", "same"),
    ("monitor", "trigger", "violation (event bus)", "any"),
    ("clarify", "trigger", "drift (event bus)", "any"),
    ("trigger", "pipeline", "retrain", "any"),
    ("features", "pipeline", "features", "any"),
]


# Capabilities each use case has its own of (modules/tier use_cases): their nodes name the use cases.
PER_USE_CASE = {"schedule", "pipeline", "registry", "pipeline_cd", "build", "deploy", "endpoint", "alarms", "monitor", "clarify"}


def labelled(key: str, label: str, plan: plans.Plan) -> str:
    """A node's label, with the use cases it exists for, and on Studio the teams (when more than one)."""
    cases = (plan.raw.get("variables", {}).get("use_cases") or {}).get("value") or {}
    teams = sorted({(c or {}).get("team") or "default" for c in cases.values()})
    if key in PER_USE_CASE and cases:
        return f"{label}\none per use case: {', '.join(sorted(cases))}"
    if key == "studio" and len(teams) > 1:
        return f"{label}\nteams: {', '.join(teams)}"
    return label


# Per-flow views of a tier (VIEW_TIERS): each follows one path through the accounts with numbered
# steps, and each account shows the organization's guardrails attached to it. (from, to) pairs of
# FLOWS, in order; pairs that happen side by side share a number.
VIEW_TIERS = {"large"}
VIEWS = {
    "deploy": ("Deploy path: from the model code to prod", [
        [("code", "pipeline"), ("schedule", "pipeline")],
        [("pipeline", "models"), ("pipeline", "registry")],
        [("registry", "pipeline_cd"), ("registry", "deploy")],
        [("pipeline_cd", "build")],
        [("build", "endpoint"), ("deploy", "endpoint")],
        [("alarms", "endpoint")],
    ]),
    "monitoring": ("Monitoring loop: from served requests to a retraining", [
        [("api", "inference")],
        [("inference", "endpoint")],
        [("endpoint", "capture")],
        [("capture", "monitor"), ("capture", "clarify"), ("capture", "captured")],
        [("monitor", "trigger"), ("clarify", "trigger")],
        [("trigger", "pipeline")],
        [("pipeline", "registry")],
    ]),
    "data": ("Data access: what the retraining reads and writes", [
        [("lake", "pipeline"), ("data", "pipeline"), ("features", "pipeline")],
        [("code", "pipeline"), ("studio", "pipeline")],
        [("pipeline", "models")],
    ]),
}


def guardrails(plan: plans.Plan) -> dict[str, dict[str, list[str]]]:
    """{account: {"SCP": [names], "RCP": [names]}} of the organization's policies attached to each account
    (an attachment the plan cannot resolve is left out here; `make policy` reports it)."""
    attached: dict[str, dict[str, list[str]]] = {}
    for a in (a for a in plans.organization_attachments(plan) if a.policy and a.target):
        kind = "RCP" if a.policy.get("type") == "RESOURCE_CONTROL_POLICY" else "SCP"
        attached.setdefault(a.target, {}).setdefault(kind, []).append(a.key.removeprefix("deny-"))
    return {account: {kind: sorted(names) for kind, names in sorted(kinds.items())} for account, kinds in sorted(attached.items())}


def view(g: dict[str, Any], steps: list[list[tuple[str, str]]]) -> dict[str, Any]:
    """The edges of the tier's graph along the steps, numbered, and the nodes and accounts they touch."""
    numbered = {pair: i for i, pairs in enumerate(steps, 1) for pair in pairs}
    edges = sorted([[src, dst, f"{numbered[(src.split('.')[1], dst.split('.')[1])]}. {label}"] for src, dst, label in g["edges"]
                    if (src.split(".")[1], dst.split(".")[1]) in numbered], key=lambda e: (int(e[2].split(".")[0]), e))
    touched = {n for e in edges for n in e[:2]}
    accounts = {account: {"roles": {role: [n for n in ids if n in touched] for role, ids in a["roles"].items() if touched & set(ids)}}
                for account, a in g["accounts"].items() if touched & {n for ids in a["roles"].values() for n in ids}}
    return {**g, "accounts": accounts, "nodes": {n: label for n, label in g["nodes"].items() if n in touched}, "edges": edges}


def joins(a: str, b: str, scope: str, nodes: dict[str, str], account_of: dict[str, str]) -> bool:
    role_a, role_b = a.split(".")[0], b.split(".")[0]
    return {
        "any": True,
        "same": role_a == role_b,
        "account": account_of[role_a] == account_of[role_b],
        "dev": role_a == "dev",
        "nolake": not any(n.endswith(".lake") for n in nodes),
    }[scope]


def graph(plan: plans.Plan) -> dict[str, Any]:
    """{"accounts": {id: {"roles": {role: [node ids]}}}, "nodes": {id: label}, "edges": [[from, to, label]]}"""
    roles_by_account: dict[str, list[str]] = {}
    for role in sorted(plan.account_roles, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99):
        roles_by_account.setdefault(plan.account_roles[role], []).append(role)
    nodes: dict[str, str] = {}
    accounts: dict[str, Any] = {}
    for account, roles in roles_by_account.items():
        accounts[account] = {"roles": {}}
        for role in roles:
            present = [f"{role}.{c.key}" for c in CAPABILITIES if c.present(plan, role)]
            nodes.update({f"{role}.{c.key}": labelled(c.key, c.label, plan) for c in CAPABILITIES if f"{role}.{c.key}" in present})
            if present:
                accounts[account]["roles"][role] = present
    accounts = {account: a for account, a in accounts.items() if a["roles"]}
    edges = sorted(
        {(a, b, label) for src, dst, label, scope in FLOWS for a in nodes if a.endswith(f".{src}") for b in nodes if b.endswith(f".{dst}") and joins(a, b, scope, nodes, plan.account_roles)}
    )
    return {"tier": plan.name, "accounts": accounts, "nodes": dict(sorted(nodes.items())), "edges": [list(e) for e in edges],
            "guardrails": guardrails(plan)}


def render(g: dict[str, Any], target: Path, title: str = "") -> None:
    import importlib

    from diagrams import Cluster, Diagram, Edge
    from diagrams.onprem.client import Users

    icons = {c.key: c.icon for c in CAPABILITIES}

    def icon(node_id: str):
        module, name = icons[node_id.split(".", 1)[1]].rsplit(".", 1)
        return getattr(importlib.import_module(module), name)

    def account_label(account: str, roles: list[str]) -> str:
        rails = g.get("guardrails", {}).get(account, {}) if title else {}
        return "\n".join([f"AWS account {account} ({', '.join(roles)})", *[f"{kind}s: {', '.join(names)}" for kind, names in rails.items()]])

    attrs = {"fontsize": "22", "pad": "0.4", "nodesep": "0.55", "ranksep": "0.9", "splines": "spline"}
    with Diagram(f"MLOps on AWS: {g['tier']} tier{' - ' + title if title else ''}", filename=str(target), outformat=["png", "svg"], show=False, direction="LR", graph_attr=attrs):
        drawn = {}
        for account, spec in g["accounts"].items():
            with Cluster(account_label(account, list(spec["roles"])), graph_attr={"fontsize": "16"}):
                for role, node_ids in spec["roles"].items():
                    with Cluster(f"{role} role", graph_attr={"fontsize": "14", "style": "dashed"}):
                        for node_id in node_ids:  # ids from the graph, not random: the same plan draws the same SVG
                            drawn[node_id] = icon(node_id)(g["nodes"][node_id], nodeid=node_id.replace(".", "_"))
        if any(n.endswith(".api") for n in drawn) and (not title or any(e[0].endswith(".api") for e in g["edges"])):
            client = Users("clients", nodeid="clients")
            for node_id in (n for n in drawn if n.endswith(".api")):
                client >> Edge(label="HTTPS (SigV4)") >> drawn[node_id]
        for src, dst, label in g["edges"]:
            drawn[src] >> Edge(label=label, fontsize="16" if title else "11", fontcolor="#b03a2e" if title else "black") >> drawn[dst]
    embed_icons(target.with_suffix(".svg"))


def embed_icons(svg: Path) -> None:
    """Graphviz links each icon by its absolute path in this machine's virtualenv, which renders
    nowhere else (and an SVG shown as an image loads no files): embed the PNGs as data URIs."""
    def data_uri(match: re.Match[str]) -> str:
        return f'xlink:href="data:image/png;base64,{base64.b64encode(Path(match[1]).read_bytes()).decode()}"'
    svg.write_text(re.sub(r'xlink:href="(/[^"]+\.png)"', data_uri, svg.read_text()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plans", nargs="*", help="plan JSON files (default: build/plans/*.json)")
    parser.add_argument("--check", action="store_true", help="compare committed graphs with the plans; render nothing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    files = [Path(p) for p in args.plans] or sorted((ROOT / "build" / "plans").glob("*.json"))
    if not files:
        print("error: no plans; run `make plans` first", file=sys.stderr)
        return 2
    stale = []
    for file in files:
        g = graph(plans.load(file))
        target = args.out / g["tier"]
        if args.check:
            committed = target.with_suffix(".json")
            if not committed.exists() or json.loads(committed.read_text()) != g:
                stale.append(g["tier"])
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        target.with_suffix(".json").write_text(json.dumps(g, indent=2) + "\n")
        render(g, target)
        print(f"drew {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}.{{png,svg,json}}: {len(g['nodes'])} services, {len(g['edges'])} flows")
        for name, (title, steps) in (VIEWS.items() if g["tier"] in VIEW_TIERS else []):
            part = view(g, steps)
            render(part, args.out / f"{g['tier']}-{name}", title)
            print(f"drew {g['tier']}-{name}.{{png,svg}}: {len(part['nodes'])} services, {len(part['edges'])} numbered flows")
    if stale:
        print(f"diagrams out of date for: {', '.join(stale)}; run `make diagrams` and commit docs/diagrams/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
