"""Fixtures for the stack tests: one default synth shared by assertions, snapshot and lint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cdk import Synthesized, synth


@pytest.fixture(scope="session")
def default_synth(built_model: Any, tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The app as `cdk synth` makes it with cdk.json's context and the freshly built artefact."""
    return synth(artifact=built_model.tarball, outdir=tmp_path_factory.mktemp("cdk.out"))
