"""Shared fixtures. The model is built once per run, for every xdist worker: tests use the real
artefact; each config is synthesized once per run (tests/support/assemblies.py)."""

from __future__ import annotations

import os
import pickle
import tarfile
from pathlib import Path

import pytest

from model_build import BuildResult, build
from model_build.build_cache import CACHE_ENV
from tests.support.assemblies import Assemblies
from tests.support.shared import once, shared_root

# Stack fixtures (the shared synths) live in tests/support with the other shared helpers.
pytest_plugins = ["tests.support.stack_fixtures", "tests.support.leaks"]

# Node 20 makes jsii print an end-of-life banner on every synth: noise in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
RESULT = "build-result.pickle"
# The slowest files (pytest --durations), scheduled first: with `--dist loadfile` each worker takes
# whole files in collection order, and a long file picked up last runs alone at the end.
SLOWEST_FIRST = (
    "tests/e2e/docs/",
    "tests/e2e/test_readme_commands.py",
    "tests/e2e/local_cloud/test_demo.py",
    "tests/e2e/local_cloud/test_demo_model_spec.py",
    "tests/e2e/test_example_models.py",
    "tests/e2e/test_batch_transform.py",
    "tests/e2e/stacks/",
    "tests/e2e/test_faults.py",
    "tests/e2e/test_local_aws_divergences.py",
    "tests/unit/stacks/test_checkov.py",
)


def _rank(item: pytest.Item) -> int:
    path = Path(str(item.path)).relative_to(Path(__file__).parent.parent).as_posix()
    return next((i for i, p in enumerate(SLOWEST_FIRST) if path.startswith(p)), len(SLOWEST_FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: file order and test order within a file are kept


@pytest.fixture(scope="session", autouse=True)
def build_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build cache for the run, shared by the workers and every `make`, `cdk` and
    `python -m model_build` they start: the suite never writes the user's own cache, and the
    same build is done once per run however many repository copies deploy it."""
    root = shared_root(tmp_path_factory) / "build-cache"
    os.environ[CACHE_ENV] = str(root)
    return root


def _build_into(folder: Path) -> None:
    result = build(out_dir=folder / "out", log=lambda _line: None)
    (folder / RESULT).write_bytes(pickle.dumps(result))


@pytest.fixture(scope="session")
def built_model(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """model.tar.gz, model file and card from ``model_build`` with default parameters."""
    folder = once(shared_root(tmp_path_factory), "model_build", _build_into)
    result: BuildResult = pickle.loads((folder / RESULT).read_bytes())
    return result


@pytest.fixture(scope="session")
def assemblies(built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Assemblies:
    """Every named config's cloud assembly, synthesized once per run (any worker)."""
    return Assemblies(root=shared_root(tmp_path_factory), artifact=built_model.tarball)


@pytest.fixture(scope="session")
def extracted_model(built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built tarball extracted like /opt/ml/model (handler under code/inference.py)."""
    model_dir = tmp_path_factory.mktemp("opt_ml_model")
    with tarfile.open(built_model.tarball) as tar:
        tar.extractall(model_dir, filter="data")
    return model_dir
