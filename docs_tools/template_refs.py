"""Who refers to whom in a CloudFormation template, read from the template alone.

A reference is a `Ref`, an `Fn::GetAtt`, an `Fn::Sub` placeholder, a `DependsOn`, or a literal
name of another resource inside a string (an alarm's `EndpointName` dimension, a policy's
log-group ARN). Outside the stack: CDK file assets (by their hashed S3 key) and ECR images. An
IAM policy attached to one role counts as part of that role, and its references are labelled
with the statement's Sid (or its actions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Where data is written to: an arrow points into these, whoever refers to whom.
SINK_TYPES = frozenset({"AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::SNS::Topic"})
SKIPPED_TYPES = frozenset({"AWS::CDK::Metadata"})
# Free text never counts as a reference to what it mentions, nor does a resource's own name.
FREE_TEXT = re.compile(r"(Description|DisplayName|Tags)$")
MIN_NAME = 6  # shorter literal names ("v1") would match by accident
ASSET_KEY = re.compile(r"(?<![0-9a-f])([0-9a-f]{64})\.[a-z]+")
IMAGE_URI = re.compile(r"\.dkr\.ecr\.[^/]*/([\w.-]+):([\w.-]+)")
IMAGE_REPOSITORY_ARN = re.compile(r":repository/([\w.-]+)")
SUB_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


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


class References:
    """Who refers to whom in a template: edges keyed (provider, consumer), with labels."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.resources: dict[str, dict[str, Any]] = {
            lid: res
            for lid, res in template.get("Resources", {}).items()
            if res.get("Type") not in SKIPPED_TYPES
        }
        self.owner = self._attached_policies()
        self.names = self._literal_names()
        self.externals: dict[str, str] = {}  # image node id -> repository[:tag]
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
        if len(label) > len(self.externals.get(node_id, "")):
            self.externals[node_id] = label
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
