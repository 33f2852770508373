"""Fixtures for the stack tests: the shared synths (tests/support/assemblies.py) by name."""

from __future__ import annotations

import pytest

from tests.support.assemblies import Assemblies
from tests.support.cdk import Synthesized


@pytest.fixture(scope="session")
def default_synth(assemblies: Assemblies) -> Synthesized:
    """The app as `cdk synth` makes it with cdk.json's context and the freshly built artefact."""
    return assemblies.get("default")


@pytest.fixture(scope="session")
def production(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("production")


@pytest.fixture(scope="session")
def serverless(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("serverless")


@pytest.fixture(scope="session")
def rolling_vpc(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("rolling_vpc")


@pytest.fixture(scope="session")
def linear(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("linear")
