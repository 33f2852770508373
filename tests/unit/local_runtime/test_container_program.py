"""The container emulation's program lifecycle: loading on first use, failures and recovery,
what the container refuses, sibling modules, the environment and the CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from local_runtime.script_mode_server import app_from_env, parse_args
from tests.unit.local_runtime.programs import ECHO, echoed, serve_program


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The container puts each program's directory on sys.path; undo it after each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


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
    client = serve_program(tmp_path, FLAKY_MODEL)
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
    client = serve_program(tmp_path, "def model_fn(model_dir:\n")  # SyntaxError
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
    client = serve_program(tmp_path, source)
    assert client.get("/ping").status_code == 500
    assert client.post("/invocations", data=b"[]").status_code == 500


def test_transform_fn_alone_handles_the_request(tmp_path: Path) -> None:
    source = (
        "def model_fn(model_dir):\n    return 'm'\n\n"
        "def transform_fn(model, body, content_type, accept):\n"
        "    return f'{model}|{body}|{content_type}|{accept}', 'text/plain'\n"
    )
    response = serve_program(tmp_path, source).post(
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
    assert (
        echoed(serve_program(tmp_path, source).post("/invocations"))["model_dir"] == "from sibling"
    )


def test_app_from_env_reads_the_sagemaker_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_program(tmp_path, ECHO)  # writes model/code/handler.py
    monkeypatch.setenv("LOCAL_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "handler.py")
    monkeypatch.delenv("SAGEMAKER_SUBMIT_DIRECTORY", raising=False)  # defaults to model/code
    monkeypatch.setenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")

    answer = echoed(app_from_env().test_client().post("/invocations"))

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
