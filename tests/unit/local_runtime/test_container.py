"""The container emulation's script-mode contract, with tiny throwaway handler modules."""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from pathlib import Path
from typing import Any

import flask
import flask.testing
import pytest

from local_runtime.script_mode_server import app_from_env, create_app, parse_args

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


def _app(
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


def _echo(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The container puts each program's directory on sys.path; undo it after each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


@pytest.fixture
def echo(tmp_path: Path) -> flask.testing.FlaskClient:
    return _app(tmp_path, ECHO, default_accept="text/csv")


@pytest.mark.parametrize(
    ("headers", "content_type", "body_type"),
    [
        ({"Content-Type": "application/json"}, "application/json", "str"),
        ({"Content-Type": "text/csv"}, "text/csv", "str"),
        ({"Content-Type": "application/json; charset=utf-8"},
         "application/json; charset=utf-8", "bytes"),
        ({"Content-Type": "TEXT/CSV"}, "TEXT/CSV", "bytes"),
        ({"Content-Type": "Application/Json"}, "Application/Json", "bytes"),
        ({"Content-Type": "application/x-npy"}, "application/x-npy", "bytes"),
        ({}, "application/json", "str"),
        ({"ContentType": "text/csv", "Content-Type": "application/x-npy"}, "text/csv", "str"),
        ({"ContentType": "application/x-npy", "Content-Type": "text/csv"},
         "application/x-npy", "bytes"),
    ],
)  # fmt: skip
def test_content_type_and_body_type_follow_the_containers_rule(
    echo: flask.testing.FlaskClient,
    headers: dict[str, str],
    content_type: str,
    body_type: str,
) -> None:
    answer = _echo(echo.post("/invocations", data=b"1,2", headers=headers))
    assert (answer["content_type"], answer["body_type"], answer["body"]) == (
        content_type,
        body_type,
        "1,2",
    )


def test_bad_utf8_in_a_text_body_is_replaced_not_refused(echo: flask.testing.FlaskClient) -> None:
    answer = _echo(
        echo.post("/invocations", data=b"[\xff]", headers={"Content-Type": "application/json"})
    )
    assert (answer["body_type"], answer["body"]) == ("str", "[\ufffd]")


@pytest.mark.parametrize(
    ("accept", "seen"),
    [
        (None, "text/csv"),  # the default accept of this app
        ("*/*", "text/csv"),
        ("*/*;q=0.8", "*/*;q=0.8"),
        ("application/json", "application/json"),
        ("text/csv, application/*;q=0.5", "text/csv, application/*;q=0.5"),
    ],
)
def test_accept_missing_or_any_becomes_the_default_else_passes_verbatim(
    echo: flask.testing.FlaskClient, accept: str | None, seen: str
) -> None:
    headers = {} if accept is None else {"Accept": accept}
    assert _echo(echo.post("/invocations", data=b"", headers=headers))["accept"] == seen


def test_model_fn_gets_the_model_dir_as_a_string(
    echo: flask.testing.FlaskClient, tmp_path: Path
) -> None:
    assert _echo(echo.post("/invocations"))["model_dir"] == str(tmp_path / "model")


@pytest.mark.parametrize("hook", ["input_fn", "predict_fn", "output_fn"])
def test_exception_in_a_hook_is_a_500_without_details_in_the_body(
    tmp_path: Path, hook: str, caplog: pytest.LogCaptureFixture
) -> None:
    source = ECHO + f"\ndef {hook}(*args):\n    raise RuntimeError('secret-detail')\n"
    client = _app(tmp_path, source)

    with caplog.at_level(logging.ERROR, logger="local_runtime.script_mode_server"):
        response = client.post("/invocations", data=b"[]")

    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Internal Server Error" in body
    assert "secret-detail" not in body and "Traceback" not in body
    assert "secret-detail" in caplog.text  # the traceback goes to the log


@pytest.mark.parametrize(
    ("returned", "status", "mimetype", "body"),
    [
        ("'ok', 'text/csv'", 200, "text/csv", b"ok"),
        ("b'\\x93NUMPY', 'application/x-npy'", 200, "application/x-npy", b"\x93NUMPY"),
        ("'plain string'", 200, "text/html", b"plain string"),
        (
            "flask.Response('{\"error\": \"x\"}', status=418, mimetype='application/json', "
            "headers={'X-Custom': 'kept'})",
            418,
            "application/json",
            b'{"error": "x"}',
        ),
    ],
    ids=["tuple", "tuple-bytes", "bare-str", "response"],
)
def test_output_fn_results_are_read_like_the_container(
    tmp_path: Path, returned: str, status: int, mimetype: str, body: bytes
) -> None:
    source = ECHO + f"\nimport flask\n\ndef output_fn(prediction, accept):\n    return {returned}\n"
    response = _app(tmp_path, source).post("/invocations", data=b"[]")

    assert (response.status_code, response.mimetype) == (status, mimetype)
    assert response.get_data() == body
    if status == 418:
        assert response.headers["X-Custom"] == "kept"


@pytest.mark.parametrize("returned", ["'oops', 400", "'a', 'b', 'c'", "None"])
def test_output_fn_result_the_container_cannot_read_is_a_500(tmp_path: Path, returned: str) -> None:
    source = ECHO + f"\ndef output_fn(prediction, accept):\n    return {returned}\n"
    assert _app(tmp_path, source).post("/invocations", data=b"[]").status_code == 500


# Counts model_fn calls in a file and fails until the model file exists.
FLAKY_MODEL = """
from pathlib import Path

def model_fn(model_dir):
    calls = Path(model_dir) / "calls"
    calls.write_text(str(int(calls.read_text() or 0) + 1) if calls.exists() else "1")
    return (Path(model_dir) / "weights").read_text()

def input_fn(body, content_type):
    return body

def predict_fn(data, model):
    return model

def output_fn(prediction, accept):
    return prediction, "text/plain"
"""


def test_failing_model_fn_answers_500_then_recovers_once_fixed(tmp_path: Path) -> None:
    client = _app(tmp_path, FLAKY_MODEL)
    calls = tmp_path / "model" / "calls"
    assert not calls.exists()  # nothing loads before the first request

    assert client.get("/ping").status_code == 500
    assert client.post("/invocations", data=b"x").status_code == 500
    assert calls.read_text() == "2"  # each request retried

    (tmp_path / "model" / "weights").write_text("fixed")
    ping = client.get("/ping")
    assert (ping.status_code, ping.get_data()) == (200, b"")
    assert client.post("/invocations", data=b"x").get_data(as_text=True) == "fixed"
    assert client.get("/ping").status_code == 200
    assert calls.read_text() == "3"  # loaded once after success


def test_broken_program_answers_500_then_recovers_when_the_file_is_fixed(tmp_path: Path) -> None:
    client = _app(tmp_path, "def model_fn(model_dir:\n")  # SyntaxError
    assert client.get("/ping").status_code == 500

    (tmp_path / "model" / "code" / "handler.py").write_text(ECHO)
    assert client.get("/ping").status_code == 200


@pytest.mark.parametrize(
    "source",
    [
        "def input_fn(body, content_type):\n    return body\n",  # no model_fn
        ECHO + "\ndef transform_fn(model, body, content_type, accept):\n    return 'x'\n",
    ],
    ids=["no-model-fn", "transform-fn-mixed-with-hooks"],
)
def test_program_the_container_refuses_fails_every_request(tmp_path: Path, source: str) -> None:
    client = _app(tmp_path, source)
    assert client.get("/ping").status_code == 500
    assert client.post("/invocations", data=b"[]").status_code == 500


def test_transform_fn_alone_handles_the_request(tmp_path: Path) -> None:
    source = (
        "def model_fn(model_dir):\n    return 'm'\n\n"
        "def transform_fn(model, body, content_type, accept):\n"
        "    return f'{model}|{body}|{content_type}|{accept}', 'text/plain'\n"
    )
    response = _app(tmp_path, source).post(
        "/invocations", data=b"1,2", headers={"Content-Type": "text/csv", "Accept": "text/plain"}
    )
    assert response.get_data(as_text=True) == "m|1,2|text/csv|text/plain"


def test_program_can_import_a_sibling_module(tmp_path: Path) -> None:
    code = tmp_path / "model" / "code"
    code.mkdir(parents=True)
    (code / "helper_for_sibling_test.py").write_text("ANSWER = 'from sibling'\n")
    source = "from helper_for_sibling_test import ANSWER\n" + ECHO.replace(
        'return {"model_dir": model_dir}', "return {'model_dir': ANSWER}"
    )
    assert _echo(_app(tmp_path, source).post("/invocations"))["model_dir"] == "from sibling"


def test_app_from_env_reads_the_sagemaker_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _app(tmp_path, ECHO)  # writes model/code/handler.py
    monkeypatch.setenv("LOCAL_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "handler.py")
    monkeypatch.delenv("SAGEMAKER_SUBMIT_DIRECTORY", raising=False)  # defaults to model/code
    monkeypatch.setenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")

    answer = _echo(app_from_env().test_client().post("/invocations"))

    assert (answer["model_dir"], answer["accept"]) == (str(tmp_path / "model"), "text/csv")


def test_app_from_env_names_the_missing_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_MODEL_DIR", raising=False)
    monkeypatch.delenv("SAGEMAKER_PROGRAM", raising=False)
    with pytest.raises(RuntimeError, match="set LOCAL_MODEL_DIR and SAGEMAKER_PROGRAM"):
        app_from_env()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "1"], "the following arguments are required: --model-dir"),
        (["--model-dir", "{tmp}", "--port", "70000"], "--port: must be in [0, 65535]"),
        (
            ["--model-dir", "{tmp}", "--port", "1", "--workers", "0"],
            "--workers: must be at least 1",
        ),
        (["--model-dir", "{tmp}/absent", "--port", "1"], "is not a directory"),
    ],
)
def test_cli_rejects_bad_arguments(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "code").mkdir()
    with pytest.raises(SystemExit) as exit_:
        parse_args([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
