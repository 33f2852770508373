"""Throwaway script-mode programs served through the container emulation, for its tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import flask.testing

from local_runtime.script_mode_server import create_app

# Echoes what the hooks received: the body's type and text, the content type and the accept.
ECHO = """
import json

def model_fn(model_dir):
    return {"model_dir": model_dir}

def input_fn(body, content_type):
    text = body if isinstance(body, str) else body.decode("latin-1")
    return {"body_type": type(body).__name__, "body": text, "content_type": content_type}

def predict_fn(data, model):
    return {**data, **model}

def output_fn(prediction, accept):
    return json.dumps({**prediction, "accept": accept}), "application/json"
"""


def serve_program(
    tmp_path: Path, source: str, *, default_accept: str = "application/json"
) -> flask.testing.FlaskClient:
    code = tmp_path / "model" / "code"
    code.mkdir(parents=True, exist_ok=True)
    (code / "handler.py").write_text(textwrap.dedent(source))
    app = create_app(
        model_dir=tmp_path / "model",
        submit_dir=code,
        program="handler.py",
        default_accept=default_accept,
    )
    return app.test_client()


def echoed(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())
