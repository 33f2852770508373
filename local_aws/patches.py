"""The patch list: each entry restores one AWS behaviour moto 5.2.5 lacks. Applied once, at
start-up, before moto parses any template (its CloudFormation type map is cached on first use)."""

from __future__ import annotations

from collections.abc import Callable

from local_aws import (
    api_gateway_invoke,
    apigateway_resources,
    cloudformation_changesets,
    s3_auto_delete,
    sagemaker_shapes,
    stack_resources,
    template_types,
    transform_jobs,
)

PATCHES: tuple[Callable[[], None], ...] = (
    cloudformation_changesets.change_set_lookups_are_per_stack,
    cloudformation_changesets.delete_missing_change_set_succeeds,
    cloudformation_changesets.create_change_set_reuses_review_stack,
    cloudformation_changesets.change_set_creates_in_dependency_order,
    cloudformation_changesets.executed_change_set_sets_outputs_and_rolls_back,
    template_types.api_gateway_types_in_templates,
    apigateway_resources.deployment_ref_is_its_id,
    apigateway_resources.deleted_stack_deletes_rest_api,
    api_gateway_invoke.rest_api_invoke_urls_answer,
    sagemaker_shapes.endpoint_config_omits_absent_configs,
    template_types.cdk_metadata_is_a_resource,
    stack_resources.skipped_resources_are_listed_by_name_and_type,
    transform_jobs.transform_jobs_run,
    s3_auto_delete.s3_auto_delete_objects_empties_the_bucket,
)
_applied: list[str] = []


def apply_all() -> list[str]:
    """Apply every patch once (idempotent); returns the names applied."""
    if not _applied:
        for patch in PATCHES:
            patch()
            _applied.append(patch.__name__)
    return list(_applied)
