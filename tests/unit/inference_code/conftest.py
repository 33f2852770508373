"""The handler's modules import each other as top-level modules, as they do in the container
(where ``code/`` is installed flat): put their folder on the path, as the container does. And
the served tarball with its card's sample, for the tests of requests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import flask.testing
import pytest

from local_runtime.script_mode_server import create_app
from model_build import BuildResult
from tests.support.paths import REPO

HANDLER_DIR = str(REPO / "inference_code")
if HANDLER_DIR not in sys.path:
    sys.path.insert(0, HANDLER_DIR)


@pytest.fixture(scope="module")
def client(extracted_model: Path) -> flask.testing.FlaskClient:
    """The built tarball served as the container serves it (code/ is the submit directory)."""
    app = create_app(
        model_dir=extracted_model, submit_dir=extracted_model / "code", program="inference.py"
    )
    return app.test_client()


@pytest.fixture(scope="module")
def sample(built_model: BuildResult) -> dict[str, Any]:
    """The card's sample: three held-out rows and the trained booster's probabilities."""
    return json.loads(built_model.card_path.read_text())["sample"]
