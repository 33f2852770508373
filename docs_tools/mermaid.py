"""A synthesized CloudFormation template as a Mermaid flowchart GitHub renders.

Nodes are the template's resources (an IAM policy attached to one role is drawn inside that
role) plus what the template points at outside the stack: CDK file assets in the bootstrap
bucket and ECR images. Edges come from the template alone: `Ref`, `Fn::GetAtt`, `Fn::Sub`
placeholders, `DependsOn`, and literal names (an alarm's `EndpointName` dimension, a policy's
log-group ARN). An arrow points from what is made first to what uses it, except into a sink
(log group, bucket, topic), where it points the way the data goes: the endpoint writes to its
log group. Edges from an attached policy carry the statement's Sid (or its actions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from docs_tools.template_refs import References

KIND = {
    "AWS::SageMaker::Model": "SageMaker Model",
    "AWS::SageMaker::EndpointConfig": "SageMaker EndpointConfig",
    "AWS::SageMaker::Endpoint": "SageMaker Endpoint",
    "AWS::IAM::Role": "IAM role",
    "AWS::Logs::LogGroup": "CloudWatch log group",
    "AWS::CloudWatch::Alarm": "CloudWatch alarm",
    "AWS::CloudWatch::Dashboard": "CloudWatch dashboard",
    "AWS::KMS::Key": "KMS key",
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::S3::BucketPolicy": "S3 bucket policy",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::SNS::TopicPolicy": "SNS topic policy",
    "AWS::Lambda::Function": "Lambda function",
    "AWS::ApplicationAutoScaling::ScalableTarget": "Auto Scaling target",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "Auto Scaling policy",
}
# What a CDK file asset is, told by the resource that reads it.
ASSET_USE = {"AWS::SageMaker::Model": "model artefact", "AWS::Lambda::Function": "Lambda code"}
SERVICE = {"ApiGateway": "API Gateway", "ApplicationAutoScaling": "Auto Scaling"}
HASH_SUFFIX = re.compile(r"[0-9A-F]{8}(?:[0-9a-f]{32})?$")
RESERVED_IDS = frozenset({"end", "graph", "flowchart", "subgraph", "class", "classdef", "style"})


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    group: str | None = None
    external: bool = False


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str | None = None
    both_ways: bool = False


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def _short_id(lid: str, taken: set[str]) -> str:
    short = HASH_SUFFIX.sub("", lid) or lid
    short = short if short not in taken else lid
    return f"n{short}" if short.lower() in RESERVED_IDS else short


def _path(res: dict[str, Any]) -> list[str]:
    parts = str(res.get("Metadata", {}).get("aws:cdk:path", "")).split("/")[1:]
    while parts and parts[-1] in ("Resource", "Default"):
        parts.pop()
    return parts


def _detail(res: dict[str, Any], kind: str) -> str:
    properties = res.get("Properties", {})
    if res["Type"] == "AWS::SageMaker::EndpointConfig":
        variants = []
        for variant in properties.get("ProductionVariants", []):
            serverless = variant.get("ServerlessConfig")
            if serverless:
                variants.append(
                    f"serverless {serverless.get('MemorySizeInMB')} MB, "
                    f"max concurrency {serverless.get('MaxConcurrency')}"
                )
            else:
                count = variant.get("InitialInstanceCount")
                variants.append(f"{variant.get('InstanceType')} \N{MULTIPLICATION SIGN} {count}")
        return ", ".join(variants)
    if res["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget":
        return f"{properties.get('MinCapacity')} to {properties.get('MaxCapacity')} instances"
    for key, value in properties.items():
        if key.endswith("Name") and key != "PolicyName" and isinstance(value, str):
            return value
    path = _path(res)[1:] or _path(res)
    detail = "/".join(path)
    return "" if detail.lower() in kind.lower().replace(" ", "") else detail


def _kind(resource_type: str) -> str:
    if resource_type in KIND:
        return KIND[resource_type]
    if resource_type.startswith("Custom::"):
        return f"Custom resource {resource_type.removeprefix('Custom::')}"
    service, _, name = resource_type.removeprefix("AWS::").partition("::")
    return f"{SERVICE.get(service, service)} {name}"


def template_graph(template: dict[str, Any]) -> Graph:
    """The nodes and edges of `template`, in template order."""
    builder = References(template)
    builder.build()
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for lid in builder.resources:
        if lid not in builder.owner:
            ids[lid] = _short_id(lid, taken)
            taken.add(ids[lid])
    nodes: list[Node] = []
    for asset_hash, consumers in builder.asset_consumers.items():
        # Named by its use, not its hash: a new model must not redraw the picture.
        what = next((ASSET_USE[t] for t in ASSET_USE if t in consumers), "file")
        node_id = _short_id("".join(word.capitalize() for word in what.split()), taken)
        node_id = node_id if node_id not in taken else f"{node_id}{len(taken)}"
        taken.add(node_id)
        ids[asset_hash] = node_id
        nodes.append(Node(node_id, f"S3 asset<br/>{what}", external=True))
    for node_id, image in builder.externals.items():
        ids[node_id] = node_id
        nodes.append(Node(node_id, f"ECR image<br/>{image}", external=True))
    for lid, res in builder.resources.items():
        if lid in builder.owner:
            continue
        kind = _kind(res["Type"])
        if any(owner == lid for owner in builder.owner.values()):
            kind += " + policy"
        detail = _detail(res, kind)
        label = f"{kind}<br/>{detail}" if detail else kind
        path = _path(res)
        nodes.append(Node(ids[lid], label, group=path[0] if path else None))
    grouped: dict[str | None, int] = {}
    for node in nodes:
        grouped[node.group] = grouped.get(node.group, 0) + 1
    nodes = [n if grouped[n.group] > 1 else Node(n.id, n.label, None, n.external) for n in nodes]
    pairs = {(ids[a], ids[b]): labels for (a, b), labels in builder.edges.items()}
    edges = []
    for (source, target), labels in pairs.items():
        reverse = pairs.get((target, source))
        if reverse is not None and (target, source) < (source, target):
            continue  # drawn once, both ways, from the other side
        merged = labels + [label for label in reverse or [] if label not in labels]
        edges.append(Edge(source, target, ", ".join(merged) or None, reverse is not None))
    return Graph(tuple(nodes), tuple(edges))


def _quote(label: str) -> str:
    return '"' + label.replace('"', "#quot;") + '"'


def render(graph: Graph, direction: str = "LR") -> str:
    """Mermaid source: ids alphanumeric, every label quoted, subgraphs by top construct."""
    lines = [f"flowchart {direction}"]
    groups: dict[str | None, list[Node]] = {}
    for node in graph.nodes:
        groups.setdefault(node.group, []).append(node)

    def shape(node: Node) -> str:
        return (
            f"{node.id}({_quote(node.label)})"
            if node.external
            else f"{node.id}[{_quote(node.label)}]"
        )

    for group, members in groups.items():
        if group is None:
            lines += [f"  {shape(node)}" for node in members]
            continue
        group_id = "grp" + re.sub(r"[^A-Za-z0-9]", "", group)
        lines.append(f"  subgraph {group_id}[{_quote(group)}]")
        lines += [f"    {shape(node)}" for node in members]
        lines.append("  end")
    for edge in graph.edges:
        arrow = "<-->" if edge.both_ways else "-->"
        label = f"|{_quote(edge.label)}|" if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(lines) + "\n"


def template_to_mermaid(template: dict[str, Any]) -> str:
    return render(template_graph(template))
