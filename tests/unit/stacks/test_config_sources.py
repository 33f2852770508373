"""Where settings come from: a config file, the CDK context, and a bad one failing synth before
any resource exists."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

import app as app_module
from stacks.settings import ConfigError, load_settings, read_config_file
from tests.support.cdk import cdk_json_context


def test_config_file_is_read_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "staging.json"
    good.write_text(json.dumps({"instance_type": "ml.c5.large", "instance_count": 2}))
    assert read_config_file(good) == {"instance_type": "ml.c5.large", "instance_count": 2}

    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps({"instnce_type": "ml.c5.large"}))
    with pytest.raises(
        ConfigError,
        match=r"instnce_type: unknown key \(did you mean 'instance_type'\?\); "
        r"allowed only the keys stack_name",
    ):
        load_settings(read_config_file(typo))

    with pytest.raises(ConfigError, match="does not exist"):
        read_config_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ConfigError, match="is not valid JSON"):
        read_config_file(broken)


def test_bad_context_fails_synth_before_any_resource_exists() -> None:
    app = cdk.App(context={**cdk_json_context(), "instance_count": "0"})
    with pytest.raises(ConfigError, match="instance_count: allowed an integer from 1 to 20"):
        app_module.build(app)
    assert app.node.children == []


def test_config_file_from_context_overrides_cdk_json(tmp_path: Path) -> None:
    config = tmp_path / "prod.json"
    config.write_text(json.dumps({"instance_count": 0}))
    app = cdk.App(context={**cdk_json_context(), "config": str(config)})
    with pytest.raises(ConfigError, match="given 0"):
        app_module.build(app)


def test_config_file_with_a_bad_option_fails_synth(tmp_path: Path) -> None:
    config = tmp_path / "prod.json"
    config.write_text(json.dumps({"serverless": True, "autoscaling": {"max_capacity": 4}}))
    app = cdk.App(context={**cdk_json_context(), "config": str(config)})
    with pytest.raises(ConfigError, match="autoscaling: cannot be used with serverless"):
        app_module.build(app)
    assert app.node.children == []
