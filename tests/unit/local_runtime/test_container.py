"""The container emulation's script-mode contract for a request: what the hooks receive, how
their results and exceptions are answered. Tiny throwaway handler modules."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import flask
import flask.testing
import pytest

from tests.unit.local_runtime.programs import ECHO, echoed, serve_program


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The container puts each program's directory on sys.path; undo it after each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))


@pytest.fixture
def echo(tmp_path: Path) -> flask.testing.FlaskClient:
    return serve_program(tmp_path, ECHO, default_accept="text/csv")


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
    answer = echoed(echo.post("/invocations", data=b"1,2", headers=headers))
    assert (answer["content_type"], answer["body_type"], answer["body"]) == (
        content_type,
        body_type,
        "1,2",
    )


def test_bad_utf8_in_a_text_body_is_replaced_not_refused(echo: flask.testing.FlaskClient) -> None:
    answer = echoed(
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
    assert echoed(echo.post("/invocations", data=b"", headers=headers))["accept"] == seen


def test_model_fn_gets_the_model_dir_as_a_string(
    echo: flask.testing.FlaskClient, tmp_path: Path
) -> None:
    assert echoed(echo.post("/invocations"))["model_dir"] == str(tmp_path / "model")


@pytest.mark.parametrize("hook", ["input_fn", "predict_fn", "output_fn"])
def test_exception_in_a_hook_is_a_500_without_details_in_the_body(
    tmp_path: Path, hook: str, caplog: pytest.LogCaptureFixture
) -> None:
    source = ECHO + f"\ndef {hook}(*args):\n    raise RuntimeError('secret-detail')\n"
    client = serve_program(tmp_path, source)

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
    response = serve_program(tmp_path, source).post("/invocations", data=b"[]")

    assert (response.status_code, response.mimetype) == (status, mimetype)
    assert response.get_data() == body
    if status == 418:
        assert response.headers["X-Custom"] == "kept"


@pytest.mark.parametrize("returned", ["'oops', 400", "'a', 'b', 'c'", "None"])
def test_output_fn_result_the_container_cannot_read_is_a_500(tmp_path: Path, returned: str) -> None:
    source = ECHO + f"\ndef output_fn(prediction, accept):\n    return {returned}\n"
    assert serve_program(tmp_path, source).post("/invocations", data=b"[]").status_code == 500
