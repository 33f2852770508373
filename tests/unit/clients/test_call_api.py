"""`python -m clients.call_api` resolves its URL and key or says in one line what is missing."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from clients import call_api


def _outputs(tmp_path: Path, stacks: dict[str, dict[str, str]]) -> Path:
    path = tmp_path / "cdk-outputs.json"
    path.write_text(json.dumps(stacks))
    return path


@pytest.mark.parametrize(
    ("stacks", "expected"),
    [
        (None, "pass --url or deploy with --outputs-file"),
        ({"S": {"EndpointName": "e"}}, "deploy with -c config=examples/public-api.json"),
        (
            {"A": {"PublicApiUrl": "https://a"}, "B": {"PublicApiUrl": "https://b"}},
            "found A, B",
        ),
        ({"S": {"PublicApiUrl": "https://x/v1/predict"}}, "no API key: pass --api-key"),
    ],
    ids=["no outputs file", "public api off", "several stacks", "no key id"],
)
def test_unresolvable_input_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stacks: dict[str, dict[str, str]] | None,
    expected: str,
) -> None:
    outputs = _outputs(tmp_path, stacks) if stacks is not None else tmp_path / "missing.json"
    argv = ["--outputs-file", str(outputs), "--rows", "[1.0, 2.0]", "--region", "eu-west-2"]
    assert call_api.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err
    assert len(err.strip().splitlines()) == 1


def test_stack_name_picks_that_stacks_outputs(tmp_path: Path) -> None:
    outputs = _outputs(
        tmp_path,
        {"A": {"PublicApiUrl": "https://a"}, "B": {"PublicApiUrl": "https://b", "X": "1"}},
    )
    assert call_api.stack_outputs(outputs, "B") == {"PublicApiUrl": "https://b", "X": "1"}


def test_explicit_key_wins_over_outputs() -> None:
    outputs = {"PublicApiKeyId": "id-that-would-need-aws"}
    key = call_api.resolve_api_key(
        api_key="k", api_key_id=None, outputs=outputs, region="eu-west-2"
    )
    assert key == "k"


def test_unreachable_url_exits_1_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = ["--url", f"http://127.0.0.1:{port}/v1/predict", "--api-key", "k", "--rows", "[1.0]"]
    assert call_api.main(argv) == 1
    assert "cannot reach the API" in capsys.readouterr().err
