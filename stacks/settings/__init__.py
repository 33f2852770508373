"""Typed, validated settings for the endpoint stack: pydantic models, one per option group.

`app.py` collects raw values (context, `-c key=value`, an optional `-c config=file.json`) and
calls `load_settings` once. Every bad value is reported together, each naming the key, what is
allowed and what was given, so a typo fails `cdk synth` instead of a deploy twenty minutes
later. `python -m docs_tools.settings_reference` writes the JSON Schema and
docs/configuration.md from these models.
"""

from stacks.settings.capacity import (
    DEPLOYMENT_STRATEGIES,
    STEP_PERCENT_RANGE,
    AutoscalingSettings,
    DeploymentSettings,
    ServerlessSettings,
    baking_periods,
)
from stacks.settings.endpoint import LOG_RETENTION_DAYS, EndpointSettings
from stacks.settings.errors import ConfigError
from stacks.settings.instances import MAX_INSTANCE_COUNT, has_local_nvme
from stacks.settings.loading import SETTING_KEYS, load_settings, read_config_file
from stacks.settings.network import VpcSettings
from stacks.settings.observability import (
    AlarmSettings,
    BatchTransformSettings,
    DataCaptureSettings,
)
from stacks.settings.public_api import AUTH_MODES, QUOTA_PERIODS, PublicApiSettings
from stacks.settings.teardown import MAX_IDLE_HOURS, IdleTeardownSettings

__all__ = [
    "AUTH_MODES",
    "DEPLOYMENT_STRATEGIES",
    "LOG_RETENTION_DAYS",
    "MAX_IDLE_HOURS",
    "MAX_INSTANCE_COUNT",
    "QUOTA_PERIODS",
    "SETTING_KEYS",
    "STEP_PERCENT_RANGE",
    "AlarmSettings",
    "AutoscalingSettings",
    "BatchTransformSettings",
    "ConfigError",
    "DataCaptureSettings",
    "DeploymentSettings",
    "EndpointSettings",
    "IdleTeardownSettings",
    "PublicApiSettings",
    "ServerlessSettings",
    "VpcSettings",
    "baking_periods",
    "has_local_nvme",
    "load_settings",
    "read_config_file",
]
