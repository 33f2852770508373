"""`python -m local_cloud up / env / down` with real servers: the AWS APIs answer, then stop."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest

from local_cloud import session
from local_cloud.__main__ import main


def test_up_env_down_serve_the_aws_apis_then_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = ["--work-dir", str(tmp_path)]
    assert main([*work, "up"]) == 0
    try:
        exports = _exports(capsys.readouterr().out)
        assert list(exports) == list(session.EXPORTED)
        state = json.loads((tmp_path / "state.json").read_text())
        pids = [state["control_plane_pid"], state["runtime_pid"]]
        assert main([*work, "up"]) == 1  # one at a time
        assert "already up" in capsys.readouterr().err
        assert main([*work, "demo"]) == 1  # it would clear the running servers' files
        assert "`up` is running" in capsys.readouterr().err

        assert main([*work, "env"]) == 0
        assert _exports(capsys.readouterr().out) == exports
        sagemaker = boto3.client(
            "sagemaker",
            endpoint_url=exports["AWS_ENDPOINT_URL"],
            region_name=exports["AWS_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=exports["AWS_SESSION_TOKEN"],
        )
        assert sagemaker.list_endpoints()["Endpoints"] == []
        health = exports["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] + "/_local/health"
        with urllib.request.urlopen(health, timeout=5) as response:
            assert response.status == 200
    finally:
        assert main([*work, "down"]) == 0
    assert capsys.readouterr().out.startswith("stopped: control_plane")
    assert not (tmp_path / "state.json").exists()
    for pid in pids:
        assert not session.alive(pid, "local_runtime") and not session.alive(pid, "moto_server")


def _exports(text: str) -> dict[str, str]:
    pairs = re.findall(r"^export (\w+)=(\S+)$", text, flags=re.MULTILINE)
    return dict(pairs)
