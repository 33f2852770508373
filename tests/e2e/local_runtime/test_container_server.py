"""`python -m local_runtime.script_mode_server`: gunicorn serves the built model, stops on TERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from model_build import BuildResult
from tests.support.paths import REPO


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(extracted_model: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local_runtime.script_mode_server",
            "--model-dir",
            str(extracted_model),
            "--submit-dir",
            str(extracted_model / "code"),
            "--program",
            "inference.py",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.returncode is None:  # the test did not see it exit
            process.kill()
            process.communicate(timeout=10)


def _wait_for_ping(process: subprocess.Popen[str], url: str) -> requests.Response:
    give_up = time.monotonic() + 30  # a wait bound, not a timing assertion
    while True:
        assert process.poll() is None, "server exited before answering /ping"
        try:
            return requests.get(f"{url}/ping", timeout=5)
        # Not listening yet, or a loaded machine slower than 5 s to load the model: ask again.
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > give_up:
                raise
            time.sleep(0.1)


def test_python_m_container_serves_the_real_model_and_stops_on_sigterm(
    served: tuple[subprocess.Popen[str], str], built_model: BuildResult
) -> None:
    process, url = served
    sample = json.loads(built_model.card_path.read_text())["sample"]

    assert _wait_for_ping(process, url).status_code == 200
    response = requests.post(
        f"{url}/invocations", json={"instances": sample["instances"]}, timeout=10
    )
    assert response.status_code == 200
    assert response.json() == {"predictions": sample["predictions"]}
    bad = requests.post(f"{url}/invocations", data="[1, 2]", timeout=10)
    assert bad.status_code == 400  # requests sends no Content-Type: the JSON default applies

    os.kill(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Shutting down: Master" in output
