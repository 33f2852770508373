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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Where data is written to: an arrow points into these, whoever refers to whom.
SINK_TYPES = frozenset({"AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::SNS::Topic"})
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
SKIPPED_TYPES = frozenset({"AWS::CDK::Metadata"})
# Free text never counts as a reference to what it mentions, nor does a resource's own name.
FREE_TEXT = re.compile(r"(Description|DisplayName|Tags)$")
MIN_NAME = 6  # shorter literal names ("v1") would match by accident
HASH_SUFFIX = re.compile(r"[0-9A-F]{8}(?:[0-9a-f]{32})?$")
ASSET_KEY = re.compile(r"(?<![0-9a-f])([0-9a-f]{64})\.[a-z]+")
IMAGE_URI = re.compile(r"\.dkr\.ecr\.[^/]*/([\w.-]+):([\w.-]+)")
IMAGE_REPOSITORY_ARN = re.compile(r":repository/([\w.-]+)")
SUB_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
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


def _walk(value: Any) -> Iterator[tuple[str, str]]:
    """('ref', logical id) and ('text', literal string) for every leaf under `value`."""
    if isinstance(value, str):
        yield "text", value
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        if set(value) == {"Ref"}:
            yield "ref", str(value["Ref"])
            return
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            yield "ref", (target[0] if isinstance(target, list) else str(target).split(".")[0])
            return
        if set(value) == {"Fn::Sub"}:
            sub = value["Fn::Sub"]
            text, variables = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])
            for name in SUB_PLACEHOLDER.findall(text):
                yield "ref", name
            yield "text", text
            yield from _walk(variables)
            return
        for item in value.values():
            yield from _walk(item)


def _flatten(value: Any) -> str:
    """A Fn::Join's literal parts glued together (references left out): one searchable text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_flatten(part) for part in parts)
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else str(sub[0])
    return ""


def _texts(value: Any) -> Iterator[str]:
    """Every literal text under `value`, each Fn::Join also as one glued string."""
    yield from (leaf for kind, leaf in _walk(value) if kind == "text")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            yield _flatten(value)
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _words(sid: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", sid).capitalize()


def _statement_label(statement: dict[str, Any]) -> str:
    if statement.get("Sid"):
        return _words(str(statement["Sid"]))
    actions = statement.get("Action", [])
    return ", ".join([actions] if isinstance(actions, str) else actions)


class _Builder:
    def __init__(self, template: dict[str, Any]) -> None:
        self.resources: dict[str, dict[str, Any]] = {
            lid: res
            for lid, res in template.get("Resources", {}).items()
            if res.get("Type") not in SKIPPED_TYPES
        }
        self.owner = self._attached_policies()
        self.names = self._literal_names()
        self.externals: dict[str, Node] = {}
        self.asset_consumers: dict[str, set[str]] = {}
        self.edges: dict[tuple[str, str], list[str]] = {}

    def _attached_policies(self) -> dict[str, str]:
        owner = {}
        for lid, res in self.resources.items():
            roles = res.get("Properties", {}).get("Roles", [])
            if res["Type"] == "AWS::IAM::Policy" and len(roles) == 1 and "Ref" in roles[0]:
                owner[lid] = roles[0]["Ref"]
        return owner

    def _literal_names(self) -> dict[str, str]:
        names = {}
        for lid, res in self.resources.items():
            for key, value in res.get("Properties", {}).items():
                if key.endswith("Name") and isinstance(value, str) and len(value) >= MIN_NAME:
                    names[value] = lid
        return names

    def node_of(self, lid: str) -> str:
        return self.owner.get(lid, lid)

    def add(self, provider: str, consumer: str, label: str | None = None) -> None:
        if provider == consumer:
            return
        provider_type = self.resources.get(provider, {}).get("Type")
        consumer_type = self.resources.get(consumer, {}).get("Type")
        if provider_type in SINK_TYPES and consumer_type != "AWS::KMS::Key":
            provider, consumer = consumer, provider
        labels = self.edges.setdefault((provider, consumer), [])
        if label and label not in labels:
            labels.append(label)

    def named_in(self, text: str) -> list[str]:
        """Resources whose literal name appears in `text`, longest first, never overlapping."""
        taken: list[tuple[int, int]] = []
        found = []
        for name in sorted(self.names, key=len, reverse=True):
            for match in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                found.append(self.names[name])
        return found

    def external(self, text: str, consumer: str) -> list[str]:
        ids = []
        for asset_hash in ASSET_KEY.findall(text):
            self.asset_consumers.setdefault(asset_hash, set()).add(self.resources[consumer]["Type"])
            ids.append(asset_hash)
        for repository, tag in IMAGE_URI.findall(text):
            ids.append(self._image(repository, f"{repository}:{tag}"))
        for repository in IMAGE_REPOSITORY_ARN.findall(text):
            ids.append(self._image(repository, repository))
        return ids

    def _image(self, repository: str, label: str) -> str:
        node_id = "Image" + "".join(
            part.capitalize() for part in re.split(r"[^A-Za-z0-9]", repository)
        )
        current = self.externals.get(node_id)
        if current is None or len(label) > len(current.label):
            self.externals[node_id] = Node(node_id, label, external=True)
        return node_id

    def scan(self, lid: str, value: Any, label: str | None = None, *, names: bool = True) -> None:
        """Edges from everything `value` (part of resource `lid`) refers to."""
        node = self.node_of(lid)
        for kind, leaf in _walk(value):
            if kind == "ref" and leaf in self.resources:
                self.add(self.node_of(leaf), node, label)
        if not names:
            return
        for text in _texts(value):
            for target in self.named_in(text):
                self.add(self.node_of(target), node, label)
            for target in self.external(text, lid):
                self.add(target, node, label)

    def build(self) -> None:
        for lid, res in self.resources.items():
            properties = res.get("Properties", {})
            for key, value in properties.items():
                if FREE_TEXT.search(key) or (lid in self.owner and key == "Roles"):
                    continue
                if lid in self.owner and key == "PolicyDocument":
                    for statement in value.get("Statement", []):
                        self.scan(lid, statement.get("Resource"), _statement_label(statement))
                    continue
                self.scan(lid, value, names=not key.endswith("Name"))
            depends = res.get("DependsOn", [])
            for target in [depends] if isinstance(depends, str) else depends:
                if target in self.resources:
                    self.add(self.node_of(target), self.node_of(lid))


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
    builder = _Builder(template)
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
    for node_id, node in builder.externals.items():
        ids[node_id] = node_id
        nodes.append(Node(node_id, f"ECR image<br/>{node.label}", external=True))
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
