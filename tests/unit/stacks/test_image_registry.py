"""stacks/image_registry.py is what scripts/generate_image_registry.py writes for constants' tag."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

import constants
from stacks import image_registry

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "generate_image_registry.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_image_registry", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_module_is_the_generated_one(generator: ModuleType) -> None:
    committed = (REPO / "stacks" / "image_registry.py").read_text()
    assert generator.render(image_registry.REGISTRY_ACCOUNTS) == committed


def test_image_names_come_from_constants() -> None:
    assert (image_registry.IMAGE_REPOSITORY, image_registry.IMAGE_TAG) == (
        constants.IMAGE_REPOSITORY,
        constants.IMAGE_TAG,
    )
    assert f"{constants.IMAGE_REPOSITORY}:{constants.IMAGE_TAG}" in image_registry.__doc__


def test_generator_reads_the_accounts_of_constants_tag(
    generator: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = {
        "inference": {
            "versions": {
                constants.IMAGE_TAG: {"registries": {"eu-west-2": "111122223333"}},
                "0.0-0": {"registries": {"eu-west-2": "999999999999"}},
            }
        }
    }
    source = tmp_path / "xgboost.json"
    source.write_text(json.dumps(table))
    target = tmp_path / "image_registry.py"
    monkeypatch.setattr(generator, "TARGET", target)
    assert generator.main([str(source)]) == 0
    assert '"eu-west-2": "111122223333"' in target.read_text()
    assert "999999999999" not in target.read_text()
