"""The models are the single source: the committed JSON Schema and configuration reference are
what `make schema` writes from them, and the example configs validate against that schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from docs_tools.settings_reference import (
    REFERENCE_FILE,
    SCHEMA_FILE,
    generated,
    json_schema,
    main,
)
from stacks.settings import EndpointSettings, load_settings
from stacks.settings.describe import allowed, group_of
from tests.support.cdk import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", [SCHEMA_FILE, REFERENCE_FILE], ids=lambda p: p.name)
def test_committed_file_is_what_the_models_generate(path: Path) -> None:
    assert path.read_text() == generated()[path], f"{path.name} is stale: run `make schema`"


def test_check_mode_reports_a_stale_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("old")
    fresh = generated()
    monkeypatch.setattr(
        "docs_tools.settings_reference.generated",
        lambda: {stale: fresh[REFERENCE_FILE], SCHEMA_FILE: fresh[SCHEMA_FILE]},
    )
    assert main(["--check"]) == 1
    stale.write_text(fresh[REFERENCE_FILE])
    assert main(["--check"]) == 0


def test_there_are_examples_to_check() -> None:
    assert {p.name for p in EXAMPLES} >= {"production.json", "serverless.json", "public-api.json"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_validates_against_the_committed_schema(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    data = json.loads(path.read_text())
    assert [error.message for error in validator.iter_errors(data)] == []
    load_settings(data)  # and the models agree


@pytest.mark.parametrize(
    "bad",
    [
        {"instnce_type": "ml.m5.large"},
        {"instance_type": "ml.m5.lage"},
        {"instance_count": 21},
        {"log_retention_days": 10},
        {"autoscaling": {"max_capacity": 0}},
        {"serverless": {"memory_mb": 1000}},
        {"alarms": {"period_seconds": 90}},
        {"vpc": {"subnet_ids": ["subnet-1"]}},
        {"kms": "alias/my-key"},
        {"public_api": {"auth": "cognito"}},
        {"deployment": {"strategy": "blue_green"}},
    ],
)
def test_schema_refuses_what_the_models_refuse(
    bad: dict[str, Any], validator: jsonschema.Draft202012Validator
) -> None:
    assert list(validator.iter_errors(bad))


@pytest.mark.parametrize("switch", [True, False, None])
def test_schema_takes_an_option_switched_on_or_off(
    switch: object, validator: jsonschema.Draft202012Validator
) -> None:
    assert list(validator.iter_errors({"autoscaling": switch, "public_api": switch})) == []


def test_every_option_group_is_documented_with_its_fields() -> None:
    page = REFERENCE_FILE.read_text()
    for name, field in EndpointSettings.model_fields.items():
        assert f"`{name}`" in page
        group = group_of(field)
        for nested in group.model_fields if group else ():
            assert f"`{name}.{nested}`" in page


def test_every_field_has_a_description_and_readable_allowed_words() -> None:
    # A pattern or a list reads badly in an error ("allowed a string"): those fields say
    # what they allow in words.
    models = [EndpointSettings, *(group_of(f) for f in EndpointSettings.model_fields.values())]
    for model in filter(None, models):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            assert allowed(field) != "a string", f"{model.__name__}.{name} needs x-allowed"


def test_schema_marks_unit_and_allowed_words_for_editors() -> None:
    properties = json_schema()["properties"]
    assert properties["log_retention_days"]["x-unit"] == "days"
    assert properties["kms"]["x-allowed"].startswith("'create', a KMS key ARN")
