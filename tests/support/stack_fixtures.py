"""Fixtures for the stack tests: the shared synths (tests/support/assemblies.py) by name."""

from __future__ import annotations

import pytest

from tests.support.assemblies import Assemblies
from tests.support.cdk import Synthesized


@pytest.fixture(scope="session")
def default_synth(assemblies: Assemblies) -> Synthesized:
    """The app as `cdk synth` makes it with cdk.json's context and the freshly built artefact."""
    return assemblies.get("default")
