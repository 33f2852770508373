"""app.py reads context and the config file: unknown keys, precedence, unreadable files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import aws_cdk as cdk
import pytest

import app as app_module
from stacks.settings import ConfigError, EndpointSettings
from tests.support.cdk import cdk_json_context


def settings(context: dict[str, object]) -> EndpointSettings:
    return app_module.settings_from_context(cdk.App(context={**cdk_json_context(), **context}))


def test_a_typo_in_a_context_key_is_refused_with_the_key_meant() -> None:
    with pytest.raises(ConfigError) as caught:
        settings({"instance_cout": "2"})
    assert "instance_cout: unknown key (did you mean 'instance_count'?)" in str(caught.value)


@pytest.mark.parametrize(
    "key",
    [
        "@aws-cdk/core:newStyleStackSynthesis",  # feature flags, also from other packages
        "@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver",
        "aws:cdk:enable-path-metadata",  # what the CLI passes
        "aws:cdk:bundling-stacks",
        "availability-zones:account=123456789012:region=eu-west-2",  # lookup caches
        "acknowledged-issue-numbers",
        "cli-telemetry",
        "cdk-migrate",
    ],
)
def test_the_cdks_own_context_keys_are_not_settings(key: str) -> None:
    assert settings({key: True}) == EndpointSettings()


def test_cdk_json_feature_flags_are_all_accepted() -> None:
    assert settings({}) == EndpointSettings()


def write(tmp_path: Path, data: object, name: str = "stage.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_context_wins_over_the_config_file_and_says_so(tmp_path: Path) -> None:
    config = write(tmp_path, {"instance_count": 2, "instance_type": "ml.c5.large"})
    values, warnings = app_module.settings_values(
        {"config": str(config), "instance_count": "5", "instance_type": "ml.c5.large"}
    )
    assert values == {"instance_count": "5", "instance_type": "ml.c5.large"}
    assert warnings == [
        f"warning: instance_count is set as context ('5') and in config file {str(config)!r} "
        "(2); the context value wins"
    ]


def test_the_warning_reaches_stderr_and_the_value_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, {"autoscaling": {"max_capacity": 6}, "instance_count": 2})
    result = settings({"config": str(config), "autoscaling": '{"max_capacity": 8}'})
    assert result.autoscaling is not None and result.autoscaling.max_capacity == 8
    assert result.instance_count == 2
    assert "warning: autoscaling is set as context" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("context_value", "file_value"),
    [("2", 2), ("true", True), ('{"max_capacity": 4}', {"max_capacity": 4}), ("x", "x")],
)
def test_the_same_value_in_both_places_is_no_warning(
    tmp_path: Path, context_value: str, file_value: object
) -> None:
    config = write(tmp_path, {"key": file_value})
    _, warnings = app_module.settings_values({"config": str(config), "key": context_value})
    assert warnings == []


def test_without_a_config_file_context_is_all_there_is() -> None:
    assert app_module.settings_values({"instance_count": "2", "config": ""}) == (
        {"instance_count": "2"},
        [],
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.json", "does not exist"),
        (lambda d: d, "is a directory, not a JSON file"),
        (lambda d: _bytes(d, b'{"instance_count": "\xff"}'), "is not UTF-8 text (byte 0xff"),
        (lambda d: _bytes(d, b'{"instance_count": 2,}'), "is not valid JSON: "),
        (lambda d: _bytes(d, b"[1, 2]"), "must hold a JSON object of settings; it holds list"),
        (lambda d: _bytes(d, b"null"), "must hold a JSON object of settings; it holds null"),
    ],
)
def test_an_unreadable_config_file_is_one_line_naming_the_file(
    tmp_path: Path, make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        settings({"config": str(path)})
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith("config: ")
    assert repr(str(path)) in text
    assert message in text


def _bytes(directory: Path, content: bytes) -> Path:
    path = directory / "stage.json"
    path.write_bytes(content)
    return path


def test_a_config_that_is_not_a_path_is_refused() -> None:
    with pytest.raises(ConfigError, match="config: allowed a path to a JSON file; given true"):
        settings({"config": True})


def test_malformed_inline_json_is_called_malformed_json() -> None:
    with pytest.raises(ConfigError) as caught:
        settings({"autoscaling": '{"max_capacity": 4,}'})
    assert "autoscaling: malformed JSON: Expecting property name" in str(caught.value)


def test_main_prints_the_problems_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    context = {"instance_cout": "2", "public_api": '{"rate_limit": "ten"}'}
    app = cdk.App(context={**cdk_json_context(), **context})
    assert app_module.main(app) == 1
    assert app.node.children == []
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "Invalid configuration:",
        "  - public_api.rate_limit: allowed a number from 0.1 to 10000 (requests/s); given 'ten'",
        "  - instance_cout: unknown key (did you mean 'instance_count'?); allowed only the keys "
        "stack_name, model_artifact, model, endpoint_name, instance_type, instance_count, "
        "variant_name, log_retention_days, serverless, autoscaling, deployment, alarms, "
        "dashboard, data_capture, batch_transform, kms, network_isolation, vpc, public_api, "
        "idle_teardown",
    ]


def test_the_app_acknowledges_node_20_for_jsii() -> None:
    acknowledged = os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"].split(",")
    assert "20" in [major.strip() for major in acknowledged]


def test_a_model_spec_is_built_and_shipped_by_synth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = Path("examples/models/iris.toml").resolve()
    monkeypatch.setattr(app_module, "MODEL_BUILDS", tmp_path / "models")
    artifact = app_module.model_artifact(EndpointSettings(model=str(spec)))
    assert artifact == tmp_path / "models" / "iris" / "model.tar.gz"
    card = json.loads((artifact.parent / "model-card.json").read_text())
    assert card["objective"] == "multi:softprob"
    # The same spec builds the same bytes: an unchanged model keeps its asset hash.
    first = artifact.read_bytes()
    assert app_module.model_artifact(EndpointSettings(model=str(spec))).read_bytes() == first


def test_a_model_spec_that_does_not_build_fails_synth_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        app_module.model_artifact(EndpointSettings(model=str(tmp_path / "nope.toml")))
    assert str(caught.value).startswith("model: ")
    assert "nope.toml" in str(caught.value)


def test_model_and_model_artifact_are_not_both_set() -> None:
    with pytest.raises(ConfigError) as caught:
        settings({"model": "examples/models/iris.toml", "model_artifact": "other/m.tar.gz"})
    assert "model_artifact: cannot be used with model" in str(caught.value)


def test_a_model_spec_must_be_json_or_toml() -> None:
    with pytest.raises(ConfigError) as caught:
        settings({"model": "examples/models/loans.csv"})
    assert "model: allowed a path to a .json or .toml model spec" in str(caught.value)
