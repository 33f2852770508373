#!/usr/bin/env python3
"""CDK entry point: the only place that reads context and the environment."""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from stacks.config import (
    SETTING_KEYS,
    ConfigError,
    EndpointSettings,
    load_settings,
    read_config_file,
)
from stacks.endpoint_stack import XgbEndpointStack

APP_TAG = "sagemaker-xgb-cdk"


def settings_from_context(app: cdk.App) -> EndpointSettings:
    """cdk.json context and `-c key=value`, overridden by `-c config=<file.json>` when given."""
    values: dict[str, object] = {key: app.node.try_get_context(key) for key in SETTING_KEYS}
    config_file = app.node.try_get_context("config")
    if config_file:
        values.update(read_config_file(Path(str(config_file))))
    return load_settings(values)


def build(app: cdk.App) -> XgbEndpointStack:
    settings = settings_from_context(app)
    # Environment-agnostic on purpose (the image account comes from a region mapping), so one
    # template deploys to whatever account and region the CLI points at.
    stack = XgbEndpointStack(
        app,
        settings.stack_name,
        settings=settings,
        model_artifact=Path(settings.model_artifact),
        # The CLI checks the bootstrap version itself (the assembly's manifest requires it)
        # before it publishes assets or assumes the deploy role. The template rule would add
        # an SSM parameter that `cdk synth` prints without its rule (cfn-lint W2001).
        synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
    )
    cdk.Tags.of(stack).add("app", APP_TAG)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack


def main() -> int:
    app = cdk.App()
    try:
        build(app)
    except ConfigError as err:
        # The message names every bad key, what is allowed and what was given; a traceback
        # would only bury it.
        print(err, file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
