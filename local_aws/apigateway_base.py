"""What the API Gateway template-resource models share: moto's API Gateway backend, deletes
that tolerate a parent already gone, and the `Ref` / delete protocol of moto's CloudFormation."""

from __future__ import annotations

import contextlib
from typing import Any

from moto.apigateway import models as apigw
from moto.apigateway.exceptions import NotFoundException


def backend_for(account_id: str, region_name: str) -> Any:
    return apigw.apigateway_backends[account_id][region_name]


def quietly(action: Any, *args: Any, **kwargs: Any) -> None:
    """Delete, treating "already gone" (the RestApi went first) as done, as CloudFormation does."""
    with contextlib.suppress(KeyError, NotFoundException):
        action(*args, **kwargs)


class TemplateResource:
    """A resource this patch made: its physical id (what `Ref` returns) and how to delete it.
    Mixed into direct `CloudFormationModel` subclasses: moto lists only direct subclasses."""

    type_name = ""

    def __init__(self, physical_id: str, delete: Any) -> None:
        self.physical_id = physical_id
        self._delete = delete

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def delete(self, account_id: str, region_name: str) -> None:
        self._delete()

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""
