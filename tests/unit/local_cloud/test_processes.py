"""local_cloud's parts: stages, commands run in their own process group, up/env/down with real
servers, and the demo stopping everything when a stage fails or it is interrupted."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest

from local_cloud import session
from local_cloud.__main__ import main
from local_cloud.processes import run_command, tool_path
from local_cloud.runtime_process import REPO_ROOT
from local_cloud.stages import StageFailed, StageRunner, Terminated, signals_raise

# --- stages ----------------------------------------------------------------------------------


def test_stage_prints_its_name_then_its_time() -> None:
    out = io.StringIO()
    runner = StageRunner(out=out)
    with runner.stage("deploy"):
        pass
    lines = out.getvalue().splitlines()
    assert lines[0] == "==> deploy"
    assert re.fullmatch(r" {4}deploy: \d+\.\d s", lines[1])
    assert [name for name, _ in runner.timings] == ["deploy"]


def test_a_failing_stage_names_itself_and_the_reason() -> None:
    runner = StageRunner(out=io.StringIO())
    with pytest.raises(StageFailed) as caught, runner.stage("bootstrap"):
        raise RuntimeError("cdk bootstrap exited with 1")
    assert caught.value.stage == runner.current == "bootstrap"
    assert str(caught.value) == "stage 'bootstrap' failed: cdk bootstrap exited with 1"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_signals_raise_so_cleanup_runs(signum: signal.Signals) -> None:
    before = signal.getsignal(signum)
    cleaned = []
    with pytest.raises(Terminated, match=signum.name), signals_raise():
        try:
            os.kill(os.getpid(), signum)  # the handler runs in this thread, right here
        finally:
            cleaned.append(True)
    assert cleaned == [True]
    assert signal.getsignal(signum) == before


# --- commands ----------------------------------------------------------------------------------


def test_command_output_is_returned_and_logged(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "x.log"
    cmd = [
        sys.executable,
        "-c",
        "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)",
    ]
    result = run_command(cmd, cwd=tmp_path, env=dict(os.environ), log_path=log)
    assert result.returncode == 3
    assert sorted(result.output.split()) == ["err", "out"]  # stderr merged into stdout
    assert log.read_text().startswith("$ ")
    assert "out" in log.read_text()


def test_a_command_past_its_timeout_is_killed_with_its_children(tmp_path: Path) -> None:
    script = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print(child.pid, flush=True); time.sleep(60)"
    )
    result = run_command(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=dict(os.environ),
        log_path=tmp_path / "t.log",
        timeout=1.0,
    )
    assert result.returncode != 0
    assert "killed after 1 s" in result.output
    grandchild = int(result.output.split()[0])
    assert _gone_soon(grandchild)


def test_tool_path_puts_this_interpreter_first() -> None:
    env = tool_path({"PATH": "/usr/bin"})
    assert env["PATH"].split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]


def _gone_soon(pid: int, *, within: float = 10.0) -> bool:
    """The signal was sent to its group; its death is asynchronous."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)  # don't leak it when the test fails
    return False


# --- up / env / down -------------------------------------------------------------------------


def test_alive_ignores_a_reused_pid_that_is_not_ours() -> None:
    assert not session.alive(os.getpid(), "moto_server")
    assert session.alive(os.getpid(), "python") or session.alive(os.getpid(), "pytest")


def test_down_and_env_with_nothing_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--work-dir", str(tmp_path), "down"]) == 0
    assert capsys.readouterr().out.strip() == "nothing was running"
    assert main(["--work-dir", str(tmp_path), "env"]) == 1
    assert "no local cloud is up" in capsys.readouterr().err


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


# --- demo: failure and interrupt paths stop everything ----------------------------------------


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
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("==> bootstrap"):
            proc.send_signal(signal.SIGINT)
            break
    rest, _ = proc.communicate(timeout=60)
    output = "".join(seen) + rest
    assert proc.returncode == 130, output
    assert "interrupted (Ctrl-C) during 'bootstrap'" in output
    assert all(_refuses(url) for url in _servers_in(output))
