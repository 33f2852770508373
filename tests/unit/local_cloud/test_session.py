"""The up/down session state with nothing running: a reused pid is not ours, down and env say so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from local_cloud import session
from local_cloud.__main__ import main


def test_alive_ignores_a_reused_pid_that_is_not_ours() -> None:
    assert not session.alive(os.getpid(), "moto_server")
    assert session.alive(os.getpid(), "python") or session.alive(os.getpid(), "pytest")


def test_down_and_env_with_nothing_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--work-dir", str(tmp_path), "down"]) == 0
    assert capsys.readouterr().out.strip() == "nothing was running"
    assert main(["--work-dir", str(tmp_path), "env"]) == 1
    assert "no local cloud is up" in capsys.readouterr().err
