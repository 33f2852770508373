"""The demo stops its servers when a stage fails or it is interrupted (Ctrl-C)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from local_cloud.runtime_process import REPO_ROOT
from tests.support.signals import sigint_default


def _demo(tmp_path: Path, app_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    cmd = [sys.executable, "-m", "local_cloud", "--work-dir", str(tmp_path / "work")]
    return subprocess.Popen(
        [*cmd, "demo", "--app-dir", str(app_dir)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=sigint_default,
    )


def _servers_in(output: str) -> list[str]:
    urls = re.findall(r"(?:moto_server|local runtime) at (http://\S+)", output)
    assert len(urls) == 2, output
    return urls


def _refuses(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return False
    except OSError:
        return True
    return False


@pytest.fixture
def app_without_code(tmp_path: Path) -> Path:
    """The CDK CLI is there (bootstrap passes) but no model_build (the build stage fails)."""
    app = tmp_path / "app-without-code"
    app.mkdir()
    (app / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    return app


def test_demo_reports_the_failing_stage_and_stops_the_servers(
    tmp_path: Path, app_without_code: Path
) -> None:
    proc = _demo(tmp_path, app_without_code)
    output, _ = proc.communicate(timeout=180)
    assert proc.returncode == 1, output
    assert "FAILED at stage 'build'" in output
    assert "No module named model_build" in output
    assert "==> stop" in output
    assert all(_refuses(url) for url in _servers_in(output))


def test_ctrl_c_during_the_demo_stops_the_servers(tmp_path: Path, app_without_code: Path) -> None:
    proc = _demo(tmp_path, app_without_code)
    assert proc.stdout is not None
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("==> bootstrap"):
                proc.send_signal(signal.SIGINT)
                break
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # the interrupt failed: end the demo rather than its servers leak
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
    output = "".join(seen) + rest
    assert proc.returncode == 130, output
    assert "interrupted (Ctrl-C) during 'bootstrap'" in output
    assert all(_refuses(url) for url in _servers_in(output))
