"""Target-tracking autoscaling for one endpoint variant (Application Auto Scaling).

No role is created: without `RoleARN`, Application Auto Scaling uses its service-linked role for
SageMaker (AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint), which AWS scopes for us.
"""

from __future__ import annotations

from aws_cdk import aws_applicationautoscaling as appscaling
from constructs import Construct

from stacks.settings import AutoscalingSettings
from stacks.xgboost_endpoint import XgboostEndpoint

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
PREDEFINED_METRIC = "SageMakerVariantInvocationsPerInstance"


class VariantAutoscaling(Construct):
    """Keeps invocations per instance near a target between min and max capacity."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        endpoint: XgboostEndpoint,
        settings: AutoscalingSettings,
    ) -> None:
        super().__init__(scope, id_)
        # The Endpoint's GetAtt, not the name: the target waits for the endpoint to exist.
        endpoint_name = endpoint.endpoint_name
        variant_name = endpoint.variant_name
        self.target = appscaling.CfnScalableTarget(
            self,
            "Target",
            service_namespace="sagemaker",
            scalable_dimension=SCALABLE_DIMENSION,
            resource_id=f"endpoint/{endpoint_name}/variant/{variant_name}",
            min_capacity=settings.min_capacity,
            max_capacity=settings.max_capacity,
        )
        self.policy = appscaling.CfnScalingPolicy(
            self,
            "InvocationsPerInstance",
            policy_name="invocations-per-instance",
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.target.ref,
            target_tracking_scaling_policy_configuration=appscaling.CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty(
                target_value=settings.target_invocations_per_instance,
                predefined_metric_specification=appscaling.CfnScalingPolicy.PredefinedMetricSpecificationProperty(
                    predefined_metric_type=PREDEFINED_METRIC
                ),
                scale_in_cooldown=settings.scale_in_cooldown_seconds,
                scale_out_cooldown=settings.scale_out_cooldown_seconds,
            ),
        )
