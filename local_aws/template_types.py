"""The template resource types moto 5.2.5 skips, declared as one table and registered one way.

moto creates a template's resource through the `CloudFormationModel` subclass whose
`cloudformation_type()` names it (`CloudFormationModel.__subclasses__()`, read once and
cached), and skips any type without one while still reporting CREATE_COMPLETE. Each row below
says how a skipped type is made (through moto's own backend, so its API answers as on AWS) and
which `Fn::GetAtt` attributes it has; `register` turns rows into those models.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from local_aws import apigateway_resources as apigateway

# What a row's `make` returns: the physical id (what `Ref` gives) and how to delete it.
Made = tuple[str, Callable[[], None]]


@dataclass(frozen=True)
class TemplateType:
    name: str
    make: Callable[[dict[str, Any], str, str, str], Made]  # properties, logical id, account, region
    attributes: tuple[str, ...] = ()  # each the physical id, as AWS documents these


def _cdk_metadata(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    # It records which constructs the app used; nothing outside the stack to delete.
    return str(uuid.uuid4()), lambda: None


TEMPLATE_TYPES: tuple[TemplateType, ...] = (
    TemplateType("AWS::ApiGateway::Stage", apigateway.stage),
    TemplateType("AWS::ApiGateway::ApiKey", apigateway.api_key, ("APIKeyId",)),
    TemplateType("AWS::ApiGateway::UsagePlan", apigateway.usage_plan, ("Id",)),
    TemplateType("AWS::ApiGateway::UsagePlanKey", apigateway.usage_plan_key, ("Id",)),
    TemplateType("AWS::ApiGateway::Model", apigateway.model),
    TemplateType(
        "AWS::ApiGateway::RequestValidator", apigateway.request_validator, ("RequestValidatorId",)
    ),
    TemplateType("AWS::ApiGateway::GatewayResponse", apigateway.gateway_response),
    TemplateType("AWS::CDK::Metadata", _cdk_metadata),
)


class _TemplateResource:
    """A resource made from a row: its physical id, attributes and delete, in moto's protocol."""

    row: TemplateType

    def __init__(self, physical_id: str, delete: Callable[[], None]) -> None:
        self.physical_resource_id = physical_id
        self._delete = delete

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> _TemplateResource:
        props = cloudformation_json.get("Properties", {})
        return cls(*cls.row.make(props, resource_name, account_id, region_name))

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.row.attributes

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name in self.row.attributes:
            return self.physical_resource_id
        raise UnformattedGetAttTemplateException()

    def delete(self, account_id: str, region_name: str) -> None:
        self._delete()

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""


# Held here: moto finds models through `__subclasses__()`, which does not keep classes alive.
_MODELS: dict[str, type] = {}


def register(prefix: str) -> None:
    """Make a model for each row whose type starts with `prefix`, then rebuild moto's type map.
    Each is a direct `CloudFormationModel` subclass: moto lists only direct subclasses."""
    from moto.cloudformation import parsing

    for row in TEMPLATE_TYPES:
        if row.name.startswith(prefix) and row.name not in _MODELS:
            class_name = row.name.replace("AWS::", "").replace("::", "")
            _MODELS[row.name] = type(
                class_name,
                (_TemplateResource, CloudFormationModel),
                {
                    "row": row,
                    "cloudformation_type": staticmethod(lambda name=row.name: name),
                    "__module__": __name__,
                },
            )
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    missing = [r.name for r in TEMPLATE_TYPES if r.name.startswith(prefix)]
    missing = [name for name in missing if name not in parsing.get_model_map()]
    if missing:
        raise RuntimeError(f"moto did not register {missing}")


def api_gateway_types_in_templates() -> None:
    """AWS creates (and deletes with the stack) a template's Stage, ApiKey, UsagePlan,
    UsagePlanKey, Model, RequestValidator and GatewayResponse; moto skipped them, so the
    `PublicApiKeyId` output was dropped and `PublicApiUrl` read stage "None"."""
    register("AWS::ApiGateway::")


def cdk_metadata_is_a_resource() -> None:
    """AWS creates a CDK template's `AWS::CDK::Metadata` and lists it in ListStackResources;
    moto skipped it and listed an entry with no LogicalResourceId or ResourceType, which boto3
    and the AWS CLI fail to read (KeyError on `LogicalResourceId`)."""
    register("AWS::CDK::")
