"""The request-checking API Gateway resources of a template (Model, RequestValidator,
GatewayResponse), created and deleted with the stack through moto's API Gateway backend."""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel

from local_aws.apigateway_base import TemplateResource, backend_for, quietly


class ApiGatewayModel(TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Model"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayModel:
        props = cloudformation_json["Properties"]
        backend = backend_for(account_id, region_name)
        api_id, name = props["RestApiId"], props.get("Name", resource_name)
        schema = props.get("Schema", {})
        backend.create_model(
            api_id,
            name,
            content_type=props.get("ContentType", "application/json"),
            description=props.get("Description", ""),
            schema=schema if isinstance(schema, str) else json.dumps(schema),
        )
        return cls(name, lambda: quietly(backend.delete_model, api_id, name))


class ApiGatewayRequestValidator(TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RequestValidator"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayRequestValidator:
        props = cloudformation_json["Properties"]
        backend = backend_for(account_id, region_name)
        api_id = props["RestApiId"]
        validator = backend.create_request_validator(
            api_id,
            props.get("Name", resource_name),
            bool(props.get("ValidateRequestBody")),
            bool(props.get("ValidateRequestParameters")),
        )
        return cls(
            validator.id,
            lambda: quietly(backend.delete_request_validator, api_id, validator.id),
        )


class ApiGatewayGatewayResponse(TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::GatewayResponse"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayGatewayResponse:
        props = cloudformation_json["Properties"]
        backend = backend_for(account_id, region_name)
        api_id, response_type = props["RestApiId"], props["ResponseType"]
        backend.put_gateway_response(
            api_id,
            response_type,
            status_code=props.get("StatusCode"),
            response_parameters=props.get("ResponseParameters", {}),
            response_templates=props.get("ResponseTemplates", {}),
        )
        return cls(
            response_type,
            lambda: quietly(backend.delete_gateway_response, api_id, response_type),
        )
