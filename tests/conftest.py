"""Shared fixtures. The model is built once per session: tests use the real artefact."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from model_build import BuildResult, build

# Stack fixtures (one shared synth) live in tests/support with the other shared helpers.
pytest_plugins = ["tests.support.stack_fixtures"]

# Node 20 makes jsii print an end-of-life banner on every synth: noise in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def built_model(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """model.tar.gz, model file and card from ``model_build`` with default parameters."""
    return build(out_dir=tmp_path_factory.mktemp("model_build"), log=lambda _line: None)


@pytest.fixture(scope="session")
def extracted_model(built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built tarball extracted like /opt/ml/model (handler under code/inference.py)."""
    model_dir = tmp_path_factory.mktemp("opt_ml_model")
    with tarfile.open(built_model.tarball) as tar:
        tar.extractall(model_dir, filter="data")
    return model_dir
