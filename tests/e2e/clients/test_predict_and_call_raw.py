"""predict (boto3) and call_raw (hand-signed SigV4) against moto_server, the local runtime
and the real XGBoost handler: the same predictions and the same errors from both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clients import call_raw, predict
from clients.errors import InvocationError
from clients.payload import predictions_of
from clients.target import Target

ROW = [0.5] * 30


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


@pytest.mark.parametrize("client", [predict, call_raw])
@pytest.mark.parametrize("payload_format", ["json", "npy"])
def test_client_prints_the_models_predictions_for_the_card_sample(
    local_env: dict[str, Any],
    client: Any,
    payload_format: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    card_path = write_json(tmp_path / "card.json", local_env["card"])
    argv = ["--endpoint-name", local_env["endpoint"], "--model-card", str(card_path)]
    assert client.main([*argv, "--format", payload_format]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("200 ")
    assert predictions_of(lines[0][4:]) == pytest.approx(local_env["card"]["sample"]["predictions"])
    if client is call_raw:
        assert (
            lines[1] == f"Invoke URL: {local_env['env']['AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME']}"
            f"/endpoints/{local_env['endpoint']}/invocations"
        )


def _invoke_both(local_env: dict[str, Any], rows: list[list[float]]) -> list[InvocationError]:
    target = Target(
        endpoint_name=local_env["endpoint"], rows=rows, region="eu-west-2", payload_format="json"
    )
    errors = []
    for client in (predict, call_raw):
        with pytest.raises(InvocationError) as caught:
            client.invoke(target)
        errors.append(caught.value)
    return errors


def test_bad_request_is_the_same_model_error_from_both_clients(local_env: dict[str, Any]) -> None:
    boto_error, raw_error = _invoke_both(local_env, [[1.0, 2.0, 3.0]])
    for error in (boto_error, raw_error):
        assert error.status == 424
        assert error.code == "ModelError"
        assert error.original_status == 400
        assert "expected 30 features per row, got 3" in (error.original_message or "")
    assert boto_error.original_message == raw_error.original_message
    assert json.loads(boto_error.body) == json.loads(raw_error.body)


def test_unknown_endpoint_is_a_validation_error_from_both_clients(
    local_env: dict[str, Any],
) -> None:
    target = {**local_env, "endpoint": "no-such-endpoint"}
    for error in _invoke_both(target, [ROW]):
        assert (error.status, error.code) == (400, "ValidationError")
        assert "no-such-endpoint" in (error.message or "")


def test_raw_call_with_a_wrong_secret_is_refused_and_exits_1(
    local_env: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    argv = ["--endpoint-name", local_env["endpoint"], "--rows", json.dumps(ROW)]
    assert call_raw.main(argv) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("403 ")
    assert out[1].startswith("Invoke URL: ")
