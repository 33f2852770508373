#!/usr/bin/env python3
"""CDK entry point: the only place that reads context and the environment.

Where settings come from, lowest precedence first:

1. the defaults declared in `stacks/settings/` (docs/configuration.md lists them);
2. a JSON config file named by `-c config=<file.json>`;
3. context: `-c key=value`, and any setting written into cdk.json's, cdk.context.json's or
   ~/.cdk.json's "context" (the CDK merges these before the app sees them).

So `-c config=prod.json -c instance_count=3` deploys 3 instances whatever the file says, and a
warning on stderr names the key and both values. A context key that is neither a setting nor one
of the CDK's own (feature flags `@aws-cdk/...`, `aws:cdk:...` from the CLI, lookup caches,
`acknowledged-issue-numbers`, `cdk-...`) is refused with the setting it was probably meant to be.
"""

from __future__ import annotations

import os

# jsii's runtime prints a Node end-of-life banner (as b'!!...' lines) when it starts, which is
# at the first aws_cdk import: acknowledge the Node major we run on before that happens.
_JSII_EOL = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
os.environ[_JSII_EOL] = ",".join(filter(None, (os.environ.get(_JSII_EOL), "20")))

import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Mapping  # noqa: E402
from pathlib import Path  # noqa: E402

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

import constants  # noqa: E402
from constants import APP_TAG  # noqa: E402
from stacks.endpoint_stack import XgbEndpointStack  # noqa: E402
from stacks.settings import (  # noqa: E402
    ConfigError,
    EndpointSettings,
    load_settings,
    read_config_file,
)
from stacks.settings.errors import quote  # noqa: E402

CONFIG_KEY = "config"
# Where a `model` spec's build goes: one folder per spec, beside cdk.json's default build.
MODEL_BUILDS = Path(constants.MODEL_BUILDS)
# Context keys the CDK itself keeps in cdk.json / cdk.context.json or passes from the CLI.
CDK_CONTEXT_KEYS = frozenset({"acknowledged-issue-numbers", "cli-telemetry"})


def is_cdk_key(key: str) -> bool:
    """Feature flags (`@aws-cdk/...`), the CLI's `aws:cdk:...`, lookup caches (`ami:...`)."""
    return key.startswith(("@", "cdk-")) or ":" in key or key in CDK_CONTEXT_KEYS


def settings_values(context: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """The raw settings (file, then context over it) and a warning per key given in both."""
    given = {k: v for k, v in context.items() if not is_cdk_key(k) and k != CONFIG_KEY}
    config = context.get(CONFIG_KEY)
    if config is None or config == "":
        return given, []
    if not isinstance(config, str):
        raise ConfigError(f"config: allowed a path to a JSON file; given {quote(config)}")
    from_file = read_config_file(Path(config))
    warnings = [
        f"warning: {key} is set as context ({quote(value)}) and in config file {config!r} "
        f"({quote(from_file[key])}); the context value wins"
        for key, value in given.items()
        if key in from_file and not _same(value, from_file[key])
    ]
    return {**from_file, **given}, warnings


def _same(context_value: object, file_value: object) -> bool:
    """`-c instance_count=2` arrives as "2": the same as the file's 2."""
    if context_value == file_value:
        return True
    if isinstance(context_value, str):
        try:
            return bool(json.loads(context_value) == file_value)
        except ValueError:
            return False
    return False


def settings_from_context(app: cdk.App) -> EndpointSettings:
    values, warnings = settings_values(app.node.get_all_context())
    for warning in warnings:
        print(warning, file=sys.stderr)
    return load_settings(values)


def model_artifact(settings: EndpointSettings) -> Path:
    """The tarball to ship: the `model` spec's, built now (byte-reproducible, so an unchanged
    model keeps its asset hash and never redeploys), else `model_artifact` as built."""
    if settings.model is None:
        return Path(settings.model_artifact)
    # Imported here: training libraries load only when a config names a spec.
    from model_build import BuildError, build_from_spec

    spec = Path(settings.model)

    def progress(line: str) -> None:  # stdout is the template `cdk synth` prints
        print(line, file=sys.stderr)

    try:
        return build_from_spec(spec, MODEL_BUILDS / spec.stem, log=progress)
    except BuildError as err:
        raise ConfigError(f"model: {err}") from None


def build(app: cdk.App) -> XgbEndpointStack:
    settings = settings_from_context(app)
    # Environment-agnostic on purpose (the image account comes from a region mapping), so one
    # template deploys to whatever account and region the CLI points at.
    stack = XgbEndpointStack(
        app,
        settings.stack_name,
        settings=settings,
        model_artifact=model_artifact(settings),
        # The CLI checks the bootstrap version itself (the assembly's manifest requires it)
        # before it publishes assets or assumes the deploy role. The template rule would add
        # an SSM parameter that `cdk synth` prints without its rule (cfn-lint W2001).
        synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
    )
    cdk.Tags.of(stack).add("app", APP_TAG)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack


def main(app: cdk.App | None = None) -> int:
    app = app or cdk.App()
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
